import { parseRecordedArgs } from './benchArgs.ts'
import type { RecordedRunOptions } from './benchArgs.ts'

/** Timed runs per pair and contender after the untimed first run (full run). */
export const DEFAULT_REPEATS = 5
/** Timed runs per pair and contender in `--quick` mode. */
export const QUICK_REPEATS = 2
/**
 * Time a contender may spend on one pair before it stops repeating, in ms. Brotli 11
 * needs about half a second for one 380 KB page: repeating it five times per pair
 * would make the run last many minutes and tell us nothing a single run does not.
 * @default 100
 */
export const DEFAULT_BUDGET_MS = 100
export const QUICK_BUDGET_MS = 60
/** Pairs per set in `--quick` mode. */
export const QUICK_PAIRS = 6

/** `quick`: the first QUICK_PAIRS pairs of each set, fewer repeats. */
export interface CodecBenchOptions extends RecordedRunOptions {
  readonly repeats: number
  readonly budgetMs: number
  readonly pairLimit: number
}

export const USAGE = `usage: node --import tsx codecs.ts [--quick] [--write] [--corpus DIR] [--out FILE]
  --quick       first ${QUICK_PAIRS} pairs of each set, ${QUICK_REPEATS} timed runs (tests, demos)
  --write       record the tables in BENCHMARKS.md (full runs on the real corpus only)
  --corpus DIR  folder of versioned sets (default: $COILGUN_CORPUS or ../shared/corpus)
  --out FILE    raw results as JSON (default: bench/results/codecs.json, full runs only)`

/** Parses the command line once into a frozen options object. */
export function resolveOptions (argv: readonly string[]): CodecBenchOptions {
  const { recorded } = parseRecordedArgs(argv, {}, USAGE)
  const quick = recorded.quick
  return Object.freeze({
    ...recorded,
    repeats: quick ? QUICK_REPEATS : DEFAULT_REPEATS,
    budgetMs: quick ? QUICK_BUDGET_MS : DEFAULT_BUDGET_MS,
    pairLimit: quick ? QUICK_PAIRS : Infinity
  })
}
