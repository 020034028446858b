import { corpusAvailable, listCorpusSets, readVersions } from './corpus.ts'
import { syntheticVersions } from '../../packages/core/test/support.ts'

export interface VersionedPage {
  name: string
  contentType: string
  versions: Buffer[]
}

/**
 * Pages to replay (three, like the corpus, so tests that rotate pages over two
 * instances see each page on both) in origin tests: the first `count` versions of each corpus set, or
 * synthetic page-like versions when the corpus is absent (so the suite runs anywhere).
 */
export function versionedPages (count: number): VersionedPage[] {
  if (!corpusAvailable()) {
    const n = Math.min(count, 12)
    return [
      { name: 'synthetic-html', contentType: 'text/html; charset=utf-8', versions: syntheticVersions(n, 150_000) },
      { name: 'synthetic-json', contentType: 'application/json', versions: syntheticVersions(n, 90_000).map(v => Buffer.from(JSON.stringify({ items: v.toString() }))) },
      { name: 'synthetic-text', contentType: 'text/plain; charset=utf-8', versions: syntheticVersions(n, 60_000) }
    ]
  }
  return listCorpusSets().map(set => ({
    name: set.name,
    contentType: set.files[0]!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8',
    versions: readVersions(set, count)
  }))
}
