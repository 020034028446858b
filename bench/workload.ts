import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

/** Consecutive versions of one page; pairs are (version i-1, version i). */
export interface VersionSet {
  readonly name: string
  readonly versions: readonly Buffer[]
}

export interface Workload {
  readonly sets: readonly VersionSet[]
  /** Where the versions came from: the corpus folder, or why synthetic data was used. */
  readonly source: string
  /** True when the corpus was absent and the versions were generated. */
  readonly synthetic: boolean
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The corpus folder as the report shows it: relative to the repository, as the README puts it. */
function displayPath (dir: string): string {
  const rel = relative(repoRoot, dir)
  return rel === '' || isAbsolute(rel) ? dir : rel
}

/** Versions of the synthetic fallback set: enough pairs for stable medians. */
const SYNTHETIC_VERSIONS = 16
/** Size of each synthetic version: between the corpus's JSON and HTML pages. */
const SYNTHETIC_BYTES = 200_000

/**
 * The real page versions of the corpus, or synthetic ones when it is absent (the
 * corpus is never committed, so a fresh clone elsewhere may lack it). `pairLimit`
 * keeps the first pairs of each set only.
 */
export async function loadWorkload (corpus: string | undefined, pairLimit: number): Promise<Workload> {
  // @coilgun/fixtures/corpus resolves its folder from COILGUN_CORPUS when it is first
  // imported; setting it before a dynamic import reuses that code for --corpus.
  if (corpus !== undefined) process.env.COILGUN_CORPUS = corpus
  const { corpusAvailable, corpusDir, CORPUS_MISSING, listCorpusSets, readVersions } = await import('@coilgun/fixtures/corpus')
  const versionLimit = pairLimit + 1
  if (corpusAvailable()) {
    return {
      sets: listCorpusSets().map(set => ({ name: set.name, versions: readVersions(set, versionLimit) })),
      source: displayPath(corpusDir),
      synthetic: false
    }
  }
  return {
    sets: [{ name: 'synthetic-page', versions: syntheticVersions(Math.min(SYNTHETIC_VERSIONS, versionLimit), SYNTHETIC_BYTES) }],
    source: CORPUS_MISSING,
    synthetic: true
  }
}
