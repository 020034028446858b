import { loadCodec } from '@coilgun/core'
import { median } from '../codecsSummary.ts'
import type { VersionSet } from '../workload.ts'

// How big a corpus set's versions are and how much they differ from one to the
// next, so the report can say which sets the issue's targets are about ("versions
// that differ by under 2%", "a 200-400 KB page").

export interface SetProfile {
  readonly name: string
  readonly versions: number
  readonly minBytes: number
  readonly medianBytes: number
  readonly maxBytes: number
  /** Median over consecutive pairs of the raw vcdiff delta (no gzip) as % of the new version. */
  readonly medianChangePercent: number
}

export async function profileSets (sets: readonly VersionSet[], versionLimit: number | undefined): Promise<SetProfile[]> {
  const vcdiff = await loadCodec('vcdiff')
  return sets.map(function profile (set): SetProfile {
    const versions = set.versions.slice(0, versionLimit ?? set.versions.length)
    const sizes = versions.map(v => v.length)
    const changes = versions.slice(1).map((v, i) => 100 * vcdiff.encode(versions[i]!, v).length / v.length)
    return {
      name: set.name,
      versions: versions.length,
      minBytes: Math.min(...sizes),
      medianBytes: median(sizes),
      maxBytes: Math.max(...sizes),
      medianChangePercent: median(changes)
    }
  })
}
