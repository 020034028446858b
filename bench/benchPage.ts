import { readFileSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { syntheticVersions } from '../packages/core/test/support.ts'

// The page the load benchmarks serve: real consecutive versions from the corpus,
// picked so that the version served (the second) is the one closest to
// TARGET_BYTES in the whole corpus; synthetic versions of that size without it.
// The bench process and every server process call this with the same corpus and
// get the same bytes, so no page travels between processes.

/** Size of the page under load: a heavy but ordinary dynamic page (issues 3 and 4). */
export const TARGET_BYTES = 200_000

export interface BenchPage {
  /** Corpus set and file of the version served, or `synthetic-page`. */
  readonly name: string
  readonly contentType: string
  /** Consecutive versions: [0] is the base a sender holds, [1] the version served. */
  readonly versions: readonly Buffer[]
  /** The corpus folder, or why synthetic versions were used. */
  readonly source: string
  readonly synthetic: boolean
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function contentTypeOf (file: string): string {
  return file.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8'
}

/**
 * `count` (at least 2) consecutive versions around the corpus version closest to
 * TARGET_BYTES. `corpus` overrides the default folder of test/support/corpus.ts.
 */
export async function loadBenchPage (corpus: string | undefined, count = 2): Promise<BenchPage> {
  // As in workload.ts: corpus.ts reads COILGUN_CORPUS when it is first imported.
  if (corpus !== undefined) process.env.COILGUN_CORPUS = corpus
  const { corpusAvailable, corpusDir, CORPUS_MISSING, listCorpusSets } = await import('../test/support/corpus.ts')
  if (!corpusAvailable()) {
    return { name: 'synthetic-page', contentType: 'text/html; charset=utf-8', versions: syntheticVersions(count, TARGET_BYTES), source: CORPUS_MISSING, synthetic: true }
  }
  let best: { files: string[], served: number, distance: number } | undefined
  for (const set of listCorpusSets()) {
    // The version served needs one before it (the base) and count - 2 after it.
    for (let i = 1; i + count - 2 < set.files.length; i++) {
      const distance = Math.abs(statSync(set.files[i]!).size - TARGET_BYTES)
      if (best === undefined || distance < best.distance) best = { files: set.files, served: i, distance }
    }
  }
  if (best === undefined) throw new Error(`no corpus set in ${corpusDir} has ${count} versions`)
  const files = best.files.slice(best.served - 1, best.served - 1 + count)
  const served = best.files[best.served]!
  const rel = relative(repoRoot, corpusDir)
  return {
    name: `${basename(dirname(served))}/${basename(served)}`,
    contentType: contentTypeOf(served),
    versions: files.map(f => readFileSync(f)),
    source: rel === '' || isAbsolute(rel) ? corpusDir : rel,
    synthetic: false
  }
}
