import { fileURLToPath } from 'node:url'
import { BenchUsageError } from './benchArgs.ts'
import type { RecordedRunOptions } from './benchArgs.ts'
import { writeBlock } from './benchmarksFile.ts'
import type { Progress } from './progress.ts'
import { runKey, saveRunRecord } from './resultsFile.ts'
import { syntheticBanner } from './syntheticBanner.ts'

// The tail every recorded benchmark ends with (issue 14, item 5): where its raw
// results go, the BENCHMARKS.md block it writes with --write, and the exit codes (2
// for a usage error, 1 for a failure).

export const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url))

/** Where a run's versions came from: the corpus folder, or why synthetic ones were generated. */
interface VersionsSource {
  readonly synthetic: boolean
  readonly source: string
}

/** Says so when the versions are synthetic, and refuses --write on them (they are no record of anything). */
export function checkVersionsSource (options: { readonly write: boolean }, versions: VersionsSource, progress: Pick<Progress, 'note'>): void {
  if (versions.synthetic) progress.note(syntheticBanner(versions.source))
  if (options.write && versions.synthetic) throw new BenchUsageError('--write refused: synthetic versions are no record of anything (the corpus is missing)')
}

/** Where a run's raw results go: --out, else `defaultOut` unless the run is quick or synthetic. */
export function resultsOut (options: { readonly out: string | undefined, readonly quick: boolean }, synthetic: boolean, defaultOut: string): string | undefined {
  // Quick and synthetic runs do not overwrite the recorded results unless asked to.
  return options.out ?? (options.quick || synthetic ? undefined : defaultOut)
}

export interface BenchEnd<R extends { readonly node: string }> {
  /** The report's title on stdout. */
  readonly title: string
  /** The BENCHMARKS.md section the run's block belongs to. */
  readonly section: string
  /** The results file's `about` line. */
  readonly about: string
  readonly defaultOut: string
  readonly options: RecordedRunOptions
  readonly versions: VersionsSource
  readonly progress: Pick<Progress, 'note'>
  readonly record: R
  readonly render: (record: R, level: number) => string
  /** Appended to the "raw results" note (the WAN bench names its charts). */
  readonly savedAlso?: string
}

/**
 * Prints the report, saves the raw results (or says why not) and, with --write,
 * records the run in BENCHMARKS.md under its key (`node20`, ...).
 */
export function finishBench<R extends { readonly node: string }> (end: BenchEnd<R>): void {
  const { options, versions, progress, record } = end
  process.stdout.write(`# ${end.title}\n\n${end.render(record, 2)}\n`)
  if (versions.synthetic) progress.note(syntheticBanner(versions.source))
  const key = runKey(record.node)
  const out = resultsOut(options, versions.synthetic, end.defaultOut)
  if (out === undefined) {
    progress.note(`raw results not saved (${options.quick ? '--quick' : 'synthetic'} run; pass --out FILE to keep them)`)
  } else {
    saveRunRecord(out, end.about, record)
    progress.note(`raw results: ${out} (${key})${end.savedAlso ?? ''}`)
  }
  if (options.write) {
    writeBlock(BENCHMARKS_MD, end.section, key, `### Node ${record.node}\n\n${end.render(record, 4)}`)
    progress.note(`recorded in ${BENCHMARKS_MD} (${key})`)
  }
}

/**
 * Runs a benchmark's `main`: the exit code is what it returns (0 when nothing); a
 * usage error exits 2 with its message, any other failure 1 with its stack.
 */
export function runBench (what: string, main: () => Promise<number | undefined | void>): void {
  main().then(function setExitCode (code) {
    if (typeof code === 'number') process.exitCode = code
  }, function reportFailure (err: unknown) {
    if (err instanceof BenchUsageError) {
      console.error(err.message)
      process.exitCode = 2
      return
    }
    console.error(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
    process.exitCode = 1
  })
}
