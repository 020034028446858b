import { sha256 } from '@coilgun/core'
import type { Contender, ContenderFamily, Pair } from './contender.ts'
import type { VersionSet } from './workload.ts'

/** One contender on one pair. Times are the fastest timed run, in ms. */
export interface PairResult {
  /** 1-based number of the target version in its set (the base is the one before). */
  readonly version: number
  readonly targetBytes: number
  readonly deltaBytes: number
  readonly encodeMs: number
  readonly decodeMs: number
  readonly encodeRuns: number
  readonly decodeRuns: number
}

export interface ContenderRun {
  readonly name: string
  readonly family: ContenderFamily
  readonly unavailable: string | undefined
  readonly pairs: PairResult[]
}

export interface MeasureSettings {
  /** Timed runs per pair after the first, untimed one. */
  readonly repeats: number
  /** Once a contender has spent this long on a pair (first run included), it stops repeating. */
  readonly budgetMs: number
}

export type PairProgress = (set: string, done: number, total: number) => void

export class DecodeMismatchError extends Error {
  readonly code = 'COILGUN_BENCH_DECODE_MISMATCH'
}

interface Timing {
  samples: number[]
  spent: number
}

interface Lane {
  contender: Contender
  delta: Uint8Array
  encode: Timing
  decode: Timing
}

function verify (contender: Contender, set: string, version: number, rebuilt: Uint8Array, target: Buffer): void {
  if (!target.equals(rebuilt)) {
    throw new DecodeMismatchError(`${contender.name} rebuilt ${set} version ${version} wrongly (${rebuilt.length} bytes, expected ${target.length} bytes that differ)`)
  }
}

/**
 * Whether to time one more run. A run over the budget is slow enough that timer
 * noise no longer matters, so one sample is enough; fast runs get every repeat,
 * where the fastest of several filters out the other tenants of a shared machine.
 */
function wantsAnother (t: Timing, settings: MeasureSettings): boolean {
  return t.samples.length < settings.repeats && (t.samples.length === 0 || t.spent < settings.budgetMs)
}

function firstTiming (ms: number, settings: MeasureSettings): Timing {
  // The first run warms caches and JIT tiers; it only counts when it alone is over
  // the budget, where warming is lost in the run's own length (brotli 11).
  return { samples: ms > settings.budgetMs ? [ms] : [], spent: ms }
}

function firstRun (contender: Contender, pair: Pair, set: string, version: number, settings: MeasureSettings): Lane {
  contender.preparePair?.(pair)
  let started = performance.now()
  const delta = contender.encode(pair)
  const encodeMs = performance.now() - started
  contender.prepareDecode?.(pair, delta)
  started = performance.now()
  const rebuilt = contender.decode(pair, delta)
  const decodeMs = performance.now() - started
  verify(contender, set, version, rebuilt, pair.target)
  return { contender, delta, encode: firstTiming(encodeMs, settings), decode: firstTiming(decodeMs, settings) }
}

function timedRound (lane: Lane, pair: Pair, set: string, version: number, settings: MeasureSettings): void {
  const { contender } = lane
  if (wantsAnother(lane.encode, settings)) {
    const started = performance.now()
    contender.encode(pair)
    const ms = performance.now() - started
    lane.encode.samples.push(ms)
    lane.encode.spent += ms
  }
  if (wantsAnother(lane.decode, settings)) {
    const started = performance.now()
    const rebuilt = contender.decode(pair, lane.delta)
    const ms = performance.now() - started
    // Checked outside the timed region, but every decode is checked.
    verify(contender, set, version, rebuilt, pair.target)
    lane.decode.samples.push(ms)
    lane.decode.spent += ms
  }
}

/**
 * Every consecutive pair of the set through every contender. Contenders take turns
 * within each round, starting one further along each round, so a burst of load
 * from another process lands on all of them rather than on whichever ran then.
 */
export function measureSet (set: VersionSet, contenders: readonly Contender[], settings: MeasureSettings, progress: PairProgress): ContenderRun[] {
  const runs = contenders.map(c => ({ name: c.name, family: c.family, unavailable: c.unavailable, pairs: [] as PairResult[] }))
  const active = contenders.map((c, i) => ({ c, run: runs[i]! })).filter(x => x.c.unavailable === undefined)
  const total = set.versions.length - 1
  for (let i = 1; i < set.versions.length; i++) {
    const base = set.versions[i - 1]!
    const target = set.versions[i]!
    const pair: Pair = { base, target, baseHash: sha256(base) }
    const version = i + 1
    const lanes = active.map(x => firstRun(x.c, pair, set.name, version, settings))
    for (let round = 0; round < settings.repeats; round++) {
      for (let k = 0; k < lanes.length; k++) {
        timedRound(lanes[(k + round) % lanes.length]!, pair, set.name, version, settings)
      }
    }
    lanes.forEach(function record (lane, k) {
      active[k]!.run.pairs.push({
        version,
        targetBytes: target.length,
        deltaBytes: lane.delta.length,
        encodeMs: Math.min(...lane.encode.samples),
        decodeMs: Math.min(...lane.decode.samples),
        encodeRuns: lane.encode.samples.length,
        decodeRuns: lane.decode.samples.length
      })
    })
    progress(set.name, i, total)
  }
  return runs
}
