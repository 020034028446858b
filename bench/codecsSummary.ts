import type { ContenderFamily } from './contender.ts'
import type { ContenderRun, PairResult } from './codecsMeasure.ts'

/**
 * Hot-path goal for encoding, in ms per MB of new version on one core: an origin
 * encodes every changed page it serves, so this bounds its CPU per byte. Issue 17
 * set it at 10 ms/MB per codec, the price of deltas at the best peer's size.
 */
export const GOAL_ENCODE_MS_PER_MB = 10
/** Hot-path goal for decoding, in ms per MB of rebuilt version on one core. */
export const GOAL_DECODE_MS_PER_MB = 1
/** Times are normalised per MB of new version: 10^6 bytes. */
export const MB = 1_000_000

export interface ContenderSummary {
  readonly name: string
  readonly family: ContenderFamily
  readonly unavailable: string | undefined
  readonly pairs: number
  readonly targetBytes: number
  readonly deltaBytes: number
  /** Bytes sent over all pairs as % of the raw new versions. */
  readonly totalPercent: number
  readonly medianPairPercent: number
  /** Median over pairs of each pair's fastest encode, per MB of its new version. */
  readonly encodeMsPerMB: number
  readonly decodeMsPerMB: number
  /** Measured time over the goal; present for our codecs only. */
  readonly encodeGoalRatio: number | undefined
  readonly decodeGoalRatio: number | undefined
}

export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function perMB (ms: number, p: PairResult): number {
  return ms / (p.targetBytes / MB)
}

export function summarize (run: ContenderRun): ContenderSummary {
  const targetBytes = run.pairs.reduce((sum, p) => sum + p.targetBytes, 0)
  const deltaBytes = run.pairs.reduce((sum, p) => sum + p.deltaBytes, 0)
  const encodeMsPerMB = median(run.pairs.map(p => perMB(p.encodeMs, p)))
  const decodeMsPerMB = median(run.pairs.map(p => perMB(p.decodeMs, p)))
  const ours = run.family === 'ours' && run.pairs.length > 0
  return {
    name: run.name,
    family: run.family,
    unavailable: run.unavailable,
    pairs: run.pairs.length,
    targetBytes,
    deltaBytes,
    totalPercent: targetBytes > 0 ? 100 * deltaBytes / targetBytes : Number.NaN,
    medianPairPercent: median(run.pairs.map(p => 100 * p.deltaBytes / p.targetBytes)),
    encodeMsPerMB,
    decodeMsPerMB,
    encodeGoalRatio: ours ? encodeMsPerMB / GOAL_ENCODE_MS_PER_MB : undefined,
    decodeGoalRatio: ours ? decodeMsPerMB / GOAL_DECODE_MS_PER_MB : undefined
  }
}
