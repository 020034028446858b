import type { LoadRunCommon } from './loadRecord.ts'
import type { VersusPeer } from './loadSummary.ts'
import type { AnswerCheck, OverheadContender } from './pluginOverheadContenders.ts'

/** One contender: its answer, the medians the tables show (the peer: the plain app), and every round. */
export interface OverheadContenderRecord extends Omit<OverheadContender, 'expect'>, VersusPeer {
  readonly answer: AnswerCheck
  /** Req/s over `encodeWorkers: 0`'s in the same round, median over rounds (new-version contenders only). */
  readonly rpsVsInline: number | undefined
}

export interface PluginOverheadRecord extends LoadRunCommon {
  readonly benchmark: 'plugin-overhead'
  /** SHA-256 of the page served, ms, timed in the bench process (the plugin hashes every sender answer). */
  readonly sha256Ms: number
  readonly contenders: readonly OverheadContenderRecord[]
}

export const PLUGIN_OVERHEAD_ABOUT = 'Raw results of bench/pluginOverhead.ts: the latest full run per Node major version. Rates in requests/s, times in ms, sizes in bytes; "median" holds medians over rounds, "rounds" every round.'
