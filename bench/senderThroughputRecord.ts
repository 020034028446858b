import type { LoadRunCommon } from './loadRecord.ts'
import type { VersusPeer } from './loadSummary.ts'

/** One edge in front of its origin: the medians the tables show (the peer: the plain proxy), and every round. */
export interface ThroughputContenderRecord extends VersusPeer {
  readonly key: string
  readonly name: string
  /** What the edge and the origin behind it are. */
  readonly edge: string
  readonly origin: string
  /** Median origin → edge bytes per request over the plain proxy's, same run. */
  readonly upstreamBytesVsPeer: number
}

export interface SenderThroughputRecord extends LoadRunCommon {
  readonly benchmark: 'sender-throughput'
  /** Issue 4: the sender must keep at least this share of the plain proxy's req/s. */
  readonly targetRpsRatio: number
  /** Keep-alive connections from each edge to its origin (the sender's default, given to both). */
  readonly upstreamConnections: number
  readonly contenders: readonly ThroughputContenderRecord[]
}

export const SENDER_THROUGHPUT_ABOUT = 'Raw results of bench/senderThroughput.ts: the latest full run per Node major version. Rates in requests/s, times in ms, sizes in bytes per request; "median" holds medians over rounds, "rounds" every round.'
