import { parseRecordedArgs, positiveOption as positive } from './benchArgs.ts'
import type { RecordedRunOptions } from './benchArgs.ts'

// Command line of the load benchmarks (pluginOverhead.ts, senderThroughput.ts):
// the same flags for both, resolved once into a frozen object.

/**
 * Rounds of a full run: each contender runs once per round, in alternating order.
 * A bench with few contenders can afford more (see `resolveLoadOptions`).
 */
export const DEFAULT_ROUNDS = 9
/**
 * Seconds per contender and round in a full run: short, so that more rounds fit and
 * each round's contenders run close together in time (see perRoundRatios).
 */
export const DEFAULT_DURATION_S = 3
/**
 * Concurrent client connections. The bench machine has 2 cores shared by the load
 * generator and every server process: more connections only lengthen queues.
 */
export const DEFAULT_CONNECTIONS = 16
export const DEFAULT_WARMUP_S = 2
export const QUICK_ROUNDS = 1
export const QUICK_DURATION_S = 1
export const QUICK_WARMUP_S = 0.3

/** `quick`: one short round. */
export interface LoadBenchOptions extends RecordedRunOptions {
  readonly rounds: number
  readonly durationS: number
  readonly warmupS: number
  readonly connections: number
}

export function usage (script: string, defaultRounds = DEFAULT_ROUNDS): string {
  return `usage: node --import tsx ${script} [--quick] [--write] [--rounds N] [--duration S] [--connections N] [--corpus DIR] [--out FILE]
  --quick          ${QUICK_ROUNDS} round of ${QUICK_DURATION_S} s per contender (tests, demos); not recorded
  --write          record the tables in BENCHMARKS.md (full runs on the real corpus only)
  --rounds N       rounds, contenders alternating (default ${defaultRounds})
  --duration S     seconds per contender and round (default ${DEFAULT_DURATION_S})
  --connections N  concurrent client connections (default ${DEFAULT_CONNECTIONS})
  --corpus DIR     folder of versioned sets (default: $COILGUN_CORPUS or ../shared/corpus)
  --out FILE       raw results as JSON (default: bench/results/<name>.json, full runs only)`
}

/** Parses the command line once into a frozen options object. */
export function resolveLoadOptions (script: string, argv: readonly string[], defaultRounds = DEFAULT_ROUNDS): LoadBenchOptions {
  const { recorded, values } = parseRecordedArgs(argv, {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' }
  }, usage(script, defaultRounds))
  const quick = recorded.quick
  return Object.freeze({
    ...recorded,
    rounds: positive('rounds', values.rounds, quick ? QUICK_ROUNDS : defaultRounds, true),
    durationS: positive('duration', values.duration, quick ? QUICK_DURATION_S : DEFAULT_DURATION_S, false),
    warmupS: quick ? QUICK_WARMUP_S : DEFAULT_WARMUP_S,
    connections: positive('connections', values.connections, DEFAULT_CONNECTIONS, true)
  })
}
