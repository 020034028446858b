import type { MedianFigures, RoundFigures } from './loadSummary.ts'
import type { Machine } from './machine.ts'
import type { LoadSettings, PageRecord } from './pluginOverheadRecord.ts'
import { saveRunRecord } from './resultsFile.ts'

/** One edge in front of its origin: the medians the tables show, and every round. */
export interface ThroughputContenderRecord {
  readonly key: string
  readonly name: string
  /** What the edge and the origin behind it are. */
  readonly edge: string
  readonly origin: string
  readonly median: MedianFigures
  /** Req/s over the plain proxy's in the same round, median over rounds: the headline ratio. */
  readonly rpsVsPeer: number
  /** That ratio round by round. */
  readonly rpsVsPeerPerRound: readonly number[]
  /** Median req/s over the plain proxy's median req/s, for comparison. */
  readonly rpsVsPeerOfMedians: number
  /** Median origin → edge bytes per request over the plain proxy's, same run. */
  readonly upstreamBytesVsPeer: number
  readonly rounds: readonly RoundFigures[]
}

export interface SenderThroughputRecord extends Machine {
  readonly benchmark: 'sender-throughput'
  readonly quick: boolean
  readonly synthetic: boolean
  readonly source: string
  readonly page: PageRecord
  /** Delta codecs the sender runs (what this Node can run). */
  readonly codecs: readonly string[]
  readonly settings: LoadSettings
  /** Issue 4: the sender must keep at least this share of the plain proxy's req/s. */
  readonly targetRpsRatio: number
  /** Keep-alive connections from each edge to its origin (the sender's default, given to both). */
  readonly upstreamConnections: number
  readonly contenders: readonly ThroughputContenderRecord[]
}

const ABOUT = 'Raw results of bench/senderThroughput.ts: the latest full run per Node major version. Rates in requests/s, times in ms, sizes in bytes per request; "median" holds medians over rounds, "rounds" every round.'

export function saveSenderThroughput (file: string, record: SenderThroughputRecord): void {
  saveRunRecord(file, ABOUT, record)
}
