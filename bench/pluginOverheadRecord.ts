import type { MedianFigures, RoundFigures } from './loadSummary.ts'
import type { Machine } from './machine.ts'
import type { AnswerCheck, OverheadServer, RequestKind } from './pluginOverheadContenders.ts'
import { saveRunRecord } from './resultsFile.ts'

/** One contender: its answer, the medians the tables show, and every round. */
export interface OverheadContenderRecord {
  readonly key: string
  readonly name: string
  readonly server: OverheadServer
  readonly path: string
  readonly request: RequestKind
  readonly work: string
  readonly answer: AnswerCheck
  readonly median: MedianFigures
  /** Req/s over the plain app's in the same round, median over rounds: the headline ratio. */
  readonly rpsVsPeer: number
  /** That ratio round by round. */
  readonly rpsVsPeerPerRound: readonly number[]
  /** Median req/s over the plain app's median req/s, for comparison. */
  readonly rpsVsPeerOfMedians: number
  /** Req/s over `encodeWorkers: 0`'s in the same round, median over rounds (new-version contenders only). */
  readonly rpsVsInline: number | undefined
  readonly rounds: readonly RoundFigures[]
}

/** Settings shared by the load benchmarks' records. */
export interface LoadSettings {
  readonly rounds: number
  readonly durationS: number
  readonly warmupS: number
  readonly connections: number
}

export interface PageRecord {
  readonly name: string
  readonly contentType: string
  /** Sizes of every version used; [0] is the base a sender holds, [1] the page served. */
  readonly versionBytes: readonly number[]
}

export interface PluginOverheadRecord extends Machine {
  readonly benchmark: 'plugin-overhead'
  readonly quick: boolean
  readonly synthetic: boolean
  readonly source: string
  readonly page: PageRecord
  /** SHA-256 of the page served, ms, timed in the bench process (the plugin hashes every sender answer). */
  readonly sha256Ms: number
  /** Delta codecs the load requests offer (what this Node can run). */
  readonly codecs: readonly string[]
  readonly settings: LoadSettings
  readonly contenders: readonly OverheadContenderRecord[]
}

const ABOUT = 'Raw results of bench/pluginOverhead.ts: the latest full run per Node major version. Rates in requests/s, times in ms, sizes in bytes; "median" holds medians over rounds, "rounds" every round.'

export function savePluginOverhead (file: string, record: PluginOverheadRecord): void {
  saveRunRecord(file, ABOUT, record)
}
