import { BenchUsageError, parseRecordedArgs, positiveOption as positive } from '../benchArgs.ts'
import type { RecordedRunOptions } from '../benchArgs.ts'
import { DEFAULT_CONNECTIONS, DEFAULT_WARMUP_S } from '../loadOptions.ts'
import { DEFAULT_BURST_BYTES, DEFAULT_MBIT_PER_S, DEFAULT_RTT_MS } from './linkSettings.ts'
import type { LinkSettings } from './linkSettings.ts'
import { DEFAULT_EVERY_REQUESTS } from './versionSchedule.ts'
import type { SchedulePlan } from './versionSchedule.ts'
import type { CapacityPlan } from './capacitySearch.ts'

// Command line of the WAN benchmark (wan.ts), resolved once into a frozen object.
// Visitors at once in the fixed-concurrency runs, and the untimed run before each,
// default as in the other load benchmarks (loadOptions.ts).

/** Rounds of the fixed-concurrency runs, contenders alternating. */
export const DEFAULT_ROUNDS = 3
/** Seconds per contender and round: a baseline visitor at 16 at once waits seconds per page. */
export const DEFAULT_DURATION_S = 6
/** p99 latency bound of the capacity search, ms (issue 7). */
export const DEFAULT_LIMIT_MS = 1000
/** Seconds per step of the capacity search ... */
export const DEFAULT_STEP_S = 4
/** ... stretched so that a step sends at least this many requests (p99 of fewer is the maximum) ... */
export const STEP_MIN_REQUESTS = 30
/** ... up to this long. */
export const STEP_MAX_S = 10
/** Seconds of silence before the last request (issue 17: the first request after 5 minutes idle). */
export const DEFAULT_IDLE_S = 300

export const FULL_CAPACITY: CapacityPlan = Object.freeze({ startRate: 1, factor: 2, minRate: 0.25, maxRate: 2048, refineSteps: 2, maxSteps: 16 })
export const QUICK_CAPACITY: CapacityPlan = Object.freeze({ startRate: 4, factor: 2, minRate: 1, maxRate: 64, refineSteps: 1, maxSteps: 3 })

/** `quick`: few versions, one short round, three capacity steps. */
export interface WanOptions extends RecordedRunOptions {
  readonly link: LinkSettings
  readonly connections: number
  readonly rounds: number
  readonly durationS: number
  readonly warmupS: number
  /** How the resources change during the load and capacity runs. */
  readonly schedule: SchedulePlan
  /** Versions replayed per set one by one (undefined: all). */
  readonly replayVersions: number | undefined
  readonly capacity: CapacityPlan
  readonly stepS: number
  readonly stepMinRequests: number
  readonly stepMaxS: number
  readonly limitMs: number
  /** Pings and bulk-transfer seconds of the link check. */
  readonly checkPings: number
  readonly checkBulkS: number
  /** Contender keys to run (undefined: all). */
  readonly only: readonly string[] | undefined
  /** Seconds of silence before the last request of the run; 0 skips that phase. */
  readonly idleS: number
}

export const USAGE = `usage: node --import tsx wan.ts [--quick] [--write] [--mbit N] [--rtt MS] [--every N | --every-ms T] [options]
  --quick            4 versions per set, 1 round of 1 s, 3 capacity steps of 1 s (tests, demos); not recorded
  --write            record the tables in BENCHMARKS.md and the charts in bench/results (full runs on the real corpus only)
  --mbit N           link bandwidth each way, Mbit/s (default ${DEFAULT_MBIT_PER_S})
  --rtt MS           link round trip time, ms (default ${DEFAULT_RTT_MS})
  --burst BYTES      token bucket depth, bytes (default ${DEFAULT_BURST_BYTES}: one frame)
  --every N          a resource changes every N requests for it (default ${DEFAULT_EVERY_REQUESTS})
  --every-ms T       ... or every T ms instead
  --connections N    visitors at once in the fixed-concurrency runs (default ${DEFAULT_CONNECTIONS})
  --rounds N         rounds of those runs, contenders alternating (default ${DEFAULT_ROUNDS})
  --duration S       seconds per contender and round (default ${DEFAULT_DURATION_S})
  --step S           seconds per capacity step, at least ${STEP_MIN_REQUESTS} requests, at most ${STEP_MAX_S} s (default ${DEFAULT_STEP_S})
  --limit-ms MS      p99 bound of the capacity search (default ${DEFAULT_LIMIT_MS})
  --idle S           seconds of silence before one last request per contender (default ${DEFAULT_IDLE_S}; 2 with --quick; 0 skips)
  --contenders K,..  run only these (baseline, gzip, brotli, vcdiff, dictionary, vcdiff-h2, railgun)
  --corpus DIR       folder of versioned sets (default: $COILGUN_CORPUS or ../shared/corpus)
  --out FILE         raw results as JSON (default: bench/results/wan.json, full runs only)`

export function resolveWanOptions (argv: readonly string[]): WanOptions {
  const { recorded, values: v } = parseRecordedArgs(argv, {
    mbit: { type: 'string' },
    rtt: { type: 'string' },
    burst: { type: 'string' },
    every: { type: 'string' },
    'every-ms': { type: 'string' },
    connections: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    step: { type: 'string' },
    'limit-ms': { type: 'string' },
    contenders: { type: 'string' },
    idle: { type: 'string' }
  }, USAGE)
  const quick = recorded.quick
  if (v.every !== undefined && v['every-ms'] !== undefined) throw new BenchUsageError('--every and --every-ms exclude each other')
  const rtt = v.rtt === undefined ? DEFAULT_RTT_MS : Number(v.rtt)
  if (!Number.isFinite(rtt) || rtt < 0) throw new BenchUsageError(`--rtt: expected a number of ms >= 0, got "${v.rtt}"`)
  return Object.freeze({
    ...recorded,
    link: Object.freeze({ mbitPerS: positive('mbit', v.mbit, DEFAULT_MBIT_PER_S, false), rttMs: rtt, burstBytes: positive('burst', v.burst, DEFAULT_BURST_BYTES, true) }),
    connections: positive('connections', v.connections, DEFAULT_CONNECTIONS, true),
    rounds: positive('rounds', v.rounds, quick ? 1 : DEFAULT_ROUNDS, true),
    durationS: positive('duration', v.duration, quick ? 1 : DEFAULT_DURATION_S, false),
    warmupS: quick ? 0.3 : DEFAULT_WARMUP_S,
    schedule: Object.freeze({
      every: positive('every', v.every, DEFAULT_EVERY_REQUESTS, true),
      everyMs: v['every-ms'] === undefined ? undefined : positive('every-ms', v['every-ms'], 1, false)
    }),
    replayVersions: quick ? 4 : undefined,
    capacity: quick ? QUICK_CAPACITY : FULL_CAPACITY,
    stepS: positive('step', v.step, quick ? 1 : DEFAULT_STEP_S, false),
    stepMinRequests: quick ? 0 : STEP_MIN_REQUESTS,
    stepMaxS: quick ? 1 : STEP_MAX_S,
    limitMs: positive('limit-ms', v['limit-ms'], DEFAULT_LIMIT_MS, false),
    checkPings: quick ? 5 : 20,
    checkBulkS: quick ? 0.4 : 1.5,
    idleS: v.idle === undefined ? (quick ? 2 : DEFAULT_IDLE_S) : nonNegative('idle', v.idle),
    only: v.contenders === undefined ? undefined : v.contenders.split(',').map(s => s.trim()).filter(s => s !== '')
  })
}

function nonNegative (name: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new BenchUsageError(`--${name}: expected a number of seconds >= 0, got "${value}"`)
  return n
}
