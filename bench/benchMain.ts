import { fileURLToPath } from 'node:url'
import { loadCodecs } from '@coilgun/core'
import { loadBenchPage } from '@coilgun/fixtures/benchPage'
import type { BenchPage } from '@coilgun/fixtures/benchPage'
import { BenchUsageError } from './benchArgs.ts'
import { writeBlock } from './benchmarksFile.ts'
import type { LoadBenchOptions } from './loadOptions.ts'
import { describeMachine } from './machine.ts'
import type { Machine } from './machine.ts'
import type { LoadSettings, PageRecord } from './pluginOverheadRecord.ts'
import type { Progress } from './progress.ts'
import { runKey } from './resultsFile.ts'
import { syntheticBanner } from './syntheticBanner.ts'

// The tail every load benchmark ends with (issue 14, item 5): where its raw results
// go, the BENCHMARKS.md block it writes with --write, and the exit codes (2 for a
// usage error, 1 for a failure).

export const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url))

/** Where a run's raw results go: --out, else `defaultOut` unless the run is quick or synthetic. */
export function resultsOut (options: { readonly out: string | undefined, readonly quick: boolean }, synthetic: boolean, defaultOut: string): string | undefined {
  // Quick and synthetic runs do not overwrite the recorded results unless asked to.
  return options.out ?? (options.quick || synthetic ? undefined : defaultOut)
}

export interface KeepResults {
  readonly out: string | undefined
  readonly quick: boolean
  readonly write: boolean
  /** Key of the run in the results file and BENCHMARKS.md (`node20`, ...). */
  readonly key: string
  readonly node: string
  /** The BENCHMARKS.md section the run's block belongs to. */
  readonly section: string
  readonly save: (file: string) => void
  readonly render: (level: number) => string
  readonly note: (message: string) => void
  /** Appended to the "raw results" note (the WAN bench names its charts). */
  readonly savedAlso?: string
}

/** Saves the raw results (or says why not) and, with --write, records the run in BENCHMARKS.md. */
export function keepResults (k: KeepResults): void {
  if (k.out === undefined) {
    k.note(`raw results not saved (${k.quick ? '--quick' : 'synthetic'} run; pass --out FILE to keep them)`)
  } else {
    k.save(k.out)
    k.note(`raw results: ${k.out} (${k.key})${k.savedAlso ?? ''}`)
  }
  if (k.write) {
    writeBlock(BENCHMARKS_MD, k.section, k.key, `### Node ${k.node}\n\n${k.render(4)}`)
    k.note(`recorded in ${BENCHMARKS_MD} (${k.key})`)
  }
}

/** Runs a benchmark's `main`: a usage error exits 2 with its message, any other failure 1 with its stack. */
export function runBench (what: string, main: () => Promise<void>): void {
  main().catch(function reportFailure (err: unknown) {
    if (err instanceof BenchUsageError) {
      console.error(err.message)
      process.exitCode = 2
      return
    }
    console.error(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
    process.exitCode = 1
  })
}

/** What the load benchmarks (plugin overhead, sender throughput) record about every run alike. */
export interface LoadRunCommon extends Machine {
  readonly quick: boolean
  readonly synthetic: boolean
  readonly source: string
  readonly page: PageRecord
  readonly codecs: readonly string[]
  readonly settings: LoadSettings
}

/** The bench page, after refusing --write on synthetic versions (they are no record of anything). */
export async function loadBenchPageFor (options: LoadBenchOptions, progress: Progress): Promise<BenchPage> {
  const page = await loadBenchPage(options.corpus)
  if (page.synthetic) progress.note(syntheticBanner(page.source))
  if (options.write && page.synthetic) throw new BenchUsageError('--write refused: synthetic versions are no record of anything (the corpus is missing)')
  return page
}

/** The fields every load benchmark's record starts with. */
export async function loadRunCommon (options: LoadBenchOptions, page: BenchPage): Promise<LoadRunCommon> {
  const codecs = await loadCodecs()
  return {
    ...describeMachine(),
    quick: options.quick,
    synthetic: page.synthetic,
    source: page.source,
    page: { name: page.name, contentType: page.contentType, versionBytes: page.versions.map(v => v.length) },
    codecs: [...codecs.values()].filter(c => c.available).map(c => c.name),
    settings: { rounds: options.rounds, durationS: options.durationS, warmupS: options.warmupS, connections: options.connections }
  }
}

/** Prints a load benchmark's report, then keeps its results as {@link keepResults} does. */
export function finishLoadBench<R extends { readonly node: string }> (end: {
  readonly title: string
  readonly section: string
  readonly defaultOut: string
  readonly options: LoadBenchOptions
  readonly page: BenchPage
  readonly progress: Progress
  readonly record: R
  readonly save: (file: string, record: R) => void
  readonly render: (record: R, level: number) => string
}): void {
  const { options, page, progress, record } = end
  process.stdout.write(`# ${end.title}\n\n${end.render(record, 2)}\n`)
  if (page.synthetic) progress.note(syntheticBanner(page.source))
  keepResults({
    out: resultsOut(options, page.synthetic, end.defaultOut),
    quick: options.quick,
    write: options.write,
    key: runKey(record.node),
    node: record.node,
    section: end.section,
    save: file => { end.save(file, record) },
    render: level => end.render(record, level),
    note: message => { progress.note(message) }
  })
}
