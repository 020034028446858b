import { median } from './codecsSummary.ts'
import type { LoadResult } from './loadRun.ts'
import type { ServerStats } from './serverStats.ts'

/** One timed run of one contender: the client's view and the server processes' views. */
export interface RoundSample {
  readonly client: LoadResult
  /** Stats of every server process on the request path, by role (`origin`, `edge`). */
  readonly servers: Readonly<Record<string, ServerStats>>
}

/** The figures of one run that the report reads, flattened for the JSON record. */
export interface RoundFigures {
  readonly rps: number
  readonly latencyP99Ms: number
  readonly failures: number
  /** CPU of the load generator per response: high when the client is the bottleneck. */
  readonly clientCpuMsPerRequest: number
  /** Per server role: event-loop delay p99, CPU ms per request, socket bytes per request. */
  readonly loopP99Ms: Readonly<Record<string, number>>
  readonly loopMaxMs: Readonly<Record<string, number>>
  readonly cpuMsPerRequest: Readonly<Record<string, number>>
  readonly bytesOutPerRequest: Readonly<Record<string, number>>
  readonly bytesInPerRequest: Readonly<Record<string, number>>
  /** Counters of the servers (encodes, outcomes), summed over roles, per request served to the client. */
  readonly counters: Readonly<Record<string, number>>
}

function perServer (servers: Readonly<Record<string, ServerStats>>, pick: (s: ServerStats) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(servers).map(([role, s]) => [role, pick(s)]))
}

function perRequest (value: number, requests: number): number {
  return requests > 0 ? value / requests : Number.NaN
}

export function roundFigures (sample: RoundSample): RoundFigures {
  const counters: Record<string, number> = {}
  for (const s of Object.values(sample.servers)) {
    for (const [name, value] of Object.entries(s.extra)) counters[name] = (counters[name] ?? 0) + value
  }
  return {
    rps: sample.client.rps,
    latencyP99Ms: sample.client.latencyP99Ms,
    failures: sample.client.non2xx + sample.client.errors,
    clientCpuMsPerRequest: sample.client.clientCpuMsPerRequest,
    loopP99Ms: perServer(sample.servers, s => s.eventLoop.p99Ms),
    loopMaxMs: perServer(sample.servers, s => s.eventLoop.maxMs),
    cpuMsPerRequest: perServer(sample.servers, s => perRequest(s.cpuMs, s.requests)),
    bytesOutPerRequest: perServer(sample.servers, s => perRequest(s.bytesOut, s.requests)),
    bytesInPerRequest: perServer(sample.servers, s => perRequest(s.bytesIn, s.requests)),
    counters: Object.fromEntries(Object.entries(counters).map(([name, value]) => [name, perRequest(value, sample.client.requests)]))
  }
}

/**
 * Medians over rounds of every figure of {@link RoundFigures}; what the tables show.
 * `failures` (non-2xx responses and connection errors) is the sum over all rounds,
 * not a median.
 */
export type MedianFigures = RoundFigures

function medianRecord (rounds: readonly RoundFigures[], pick: (r: RoundFigures) => Readonly<Record<string, number>>): Record<string, number> {
  const keys = new Set(rounds.flatMap(r => Object.keys(pick(r))))
  return Object.fromEntries([...keys].map(k => [k, median(rounds.map(r => pick(r)[k] ?? Number.NaN).filter(v => !Number.isNaN(v)))]))
}

export function medianFigures (rounds: readonly RoundFigures[]): MedianFigures {
  return {
    rps: median(rounds.map(r => r.rps)),
    latencyP99Ms: median(rounds.map(r => r.latencyP99Ms)),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    clientCpuMsPerRequest: median(rounds.map(r => r.clientCpuMsPerRequest)),
    loopP99Ms: medianRecord(rounds, r => r.loopP99Ms),
    loopMaxMs: medianRecord(rounds, r => r.loopMaxMs),
    cpuMsPerRequest: medianRecord(rounds, r => r.cpuMsPerRequest),
    bytesOutPerRequest: medianRecord(rounds, r => r.bytesOutPerRequest),
    bytesInPerRequest: medianRecord(rounds, r => r.bytesInPerRequest),
    counters: medianRecord(rounds, r => r.counters)
  }
}

/**
 * Round by round, the contender's req/s over the peer's in the same round. Runs of
 * one round are minutes apart at most, so a slow spell of the shared machine
 * (another job starting) moves both sides of a ratio, where it would move one
 * median more than the other.
 */
export function perRoundRatios (rounds: readonly RoundFigures[], peer: readonly RoundFigures[]): number[] {
  return rounds.map((r, i) => r.rps / (peer[i]?.rps ?? Number.NaN))
}

/** The headline ratio: the median of the per-round ratios. */
export function pairedRatio (rounds: readonly RoundFigures[], peer: readonly RoundFigures[]): number {
  return median(perRoundRatios(rounds, peer))
}

/** A contender of a load benchmark: its medians, its req/s against the named peer's, and every round. */
export interface VersusPeer {
  readonly median: MedianFigures
  /** Req/s over the peer's in the same round, median over rounds: the headline ratio. */
  readonly rpsVsPeer: number
  /** That ratio round by round. */
  readonly rpsVsPeerPerRound: readonly number[]
  /** Median req/s over the peer's median req/s, for comparison. */
  readonly rpsVsPeerOfMedians: number
  readonly rounds: readonly RoundFigures[]
}

/** {@link VersusPeer}'s figures of `rounds` against the peer's. */
export function versusPeer (rounds: readonly RoundFigures[], peer: readonly RoundFigures[]): Omit<VersusPeer, 'rounds'> {
  const median = medianFigures(rounds)
  return { median, rpsVsPeer: pairedRatio(rounds, peer), rpsVsPeerPerRound: perRoundRatios(rounds, peer), rpsVsPeerOfMedians: median.rps / medianFigures(peer).rps }
}
