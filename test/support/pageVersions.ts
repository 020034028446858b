import { corpusAvailable, listCorpusSets, readVersions } from './corpus.ts'
import { syntheticVersions } from '../../packages/core/test/support.ts'

export interface VersionedPage {
  name: string
  contentType: string
  versions: Buffer[]
}

/**
 * Pages to replay in origin tests: the first `count` versions of each corpus set, or
 * synthetic page-like versions when the corpus is absent (so the suite runs anywhere).
 */
export function versionedPages (count: number): VersionedPage[] {
  if (!corpusAvailable()) {
    return [{ name: 'synthetic-html', contentType: 'text/html; charset=utf-8', versions: syntheticVersions(Math.min(count, 12), 150_000) }]
  }
  return listCorpusSets().map(set => ({
    name: set.name,
    contentType: set.files[0]!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8',
    versions: readVersions(set, count)
  }))
}
