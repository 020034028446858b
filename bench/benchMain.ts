import { fileURLToPath } from 'node:url'
import { BenchUsageError } from './benchArgs.ts'
import { writeBlock } from './benchmarksFile.ts'

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
