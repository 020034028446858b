import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// The corpus of real page versions lives beside the repository (../shared/corpus)
// and is never committed (its pages belong to their publishers). Tests and
// benchmarks read it at run time and skip with a clear message when it is absent.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Folder of the corpus: $COILGUN_CORPUS, else ../shared/corpus beside the repository. */
export const corpusDir = process.env.COILGUN_CORPUS ?? resolve(repoRoot, '..', 'shared', 'corpus')

export const CORPUS_MISSING = `corpus not found at ${corpusDir} (set COILGUN_CORPUS to a folder of versioned sets)`

export interface CorpusSet {
  name: string
  /** Version file paths in order (0001, 0002, ...). */
  files: string[]
}

export function corpusAvailable (): boolean {
  return existsSync(corpusDir) && listCorpusSets().length > 0
}

export function listCorpusSets (): CorpusSet[] {
  if (!existsSync(corpusDir)) return []
  const sets: CorpusSet[] = []
  for (const name of readdirSync(corpusDir, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()) {
    const files = readdirSync(join(corpusDir, name))
      .filter(f => /^\d+\.[a-z0-9]+$/i.test(f))
      .sort()
      .map(f => join(corpusDir, name, f))
    if (files.length >= 2) sets.push({ name, files })
  }
  return sets
}

export function readVersions (set: CorpusSet, limit = Infinity): Buffer[] {
  return set.files.slice(0, limit).map(f => readFileSync(f))
}
