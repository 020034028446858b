import type { PairResult } from './codecsMeasure.ts'
import type { ContenderSummary } from './codecsSummary.ts'
import type { Machine } from './machine.ts'

/** One contender on one set: the summary plus every pair, for later analysis. */
export interface ContenderRecord extends ContenderSummary {
  readonly perPair: readonly PairResult[]
}

export interface SetRecord {
  readonly name: string
  readonly versions: number
  readonly pairs: number
  /** Sum of the new versions' sizes: what the percentages are shares of. */
  readonly rawTargetBytes: number
  readonly contenders: readonly ContenderRecord[]
}

export interface ToolRecord {
  readonly name: string
  readonly version: string | undefined
  readonly spawnMs: number | undefined
}

/** Everything one run measured, with what it ran on. */
export interface CodecRunRecord extends Machine {
  readonly benchmark: 'codecs'
  /**
   * 1-minute load average at the start and the end of the run: on a shared machine
   * it tells how far the times are inflated (the sizes are not affected).
   */
  readonly loadAverage?: readonly [number, number]
  readonly quick: boolean
  readonly synthetic: boolean
  /** Corpus folder, or why synthetic versions were used. */
  readonly source: string
  readonly settings: {
    readonly repeats: number
    readonly budgetMs: number
    readonly goalEncodeMsPerMB: number
    readonly goalDecodeMsPerMB: number
    readonly bytesPerMB: number
  }
  readonly tools: readonly ToolRecord[]
  readonly sets: readonly SetRecord[]
}

export const CODECS_ABOUT = 'Raw results of bench/codecs.ts: the latest full run per Node major version. Sizes in bytes, times in ms (fastest timed run per pair).'
