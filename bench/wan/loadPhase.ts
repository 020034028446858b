import { createHistogram } from 'node:perf_hooks'
import type { RecordableHistogram } from 'node:perf_hooks'
import { runAlternating } from '../alternatingRounds.ts'
import type { LoadContender } from '../alternatingRounds.ts'
import { median } from '../codecsSummary.ts'
import type { ServerStats } from '../serverStats.ts'
import { runClosedLoad } from '../loadRun.ts'
import type { ClosedLoadResult } from '../loadRun.ts'
import type { LinkUsage } from './linkProcess.ts'
import { resetSchedule } from './originSchedule.ts'
import { VISITOR_HEADERS } from './visitorHeaders.ts'
import type { RunningContender, WanTestbed } from './wanContenders.ts'
import type { WanOptions } from './wanOptions.ts'
import type { WanProgress } from './wanProgress.ts'

// Visitors at a fixed concurrency through each contender (issue 7): requests per
// second, latency percentiles, bytes over the link and CPU per request of the edge
// and of the origin. Contenders take turns round by round (bench/alternatingRounds.ts).

interface LoadSample {
  readonly client: ClosedLoadResult
  readonly link: LinkUsage
  readonly edge: ServerStats
  readonly origin: ServerStats
}

/** One round of one contender, per request where it says so. */
export interface LoadRoundFigures {
  readonly requests: number
  readonly rps: number
  readonly p50Ms: number
  readonly p95Ms: number
  readonly p99Ms: number
  readonly failures: number
  readonly linkUpPerRequest: number
  readonly linkDownPerRequest: number
  readonly visitorBytesPerRequest: number
  readonly edgeCpuMsPerRequest: number
  readonly originCpuMsPerRequest: number
  readonly relayCpuMsPerRequest: number
  readonly clientCpuMsPerRequest: number
  /** Sender outcomes (delta, notModified, full, ...) and origin encoder counters, per request. */
  readonly counters: Readonly<Record<string, number>>
}

export interface LoadContenderResult {
  readonly rounds: readonly LoadRoundFigures[]
  /** Median of each figure over rounds. */
  readonly median: LoadRoundFigures
  /** Latency percentiles of all rounds' requests together: [percentile, ms]. */
  readonly distribution: ReadonlyArray<readonly [number, number]>
}

/** Percentiles the latency chart plots. */
const CHART_PERCENTILES = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 100]

function figures (s: LoadSample): LoadRoundFigures {
  const n = s.client.requests
  const per = (x: number): number => (n > 0 ? x / n : Number.NaN)
  const counters: Record<string, number> = {}
  for (const [k, v] of Object.entries({ ...s.origin.extra, ...s.edge.extra })) counters[k] = per(v)
  return {
    requests: n,
    rps: n / s.client.elapsedS,
    p50Ms: n > 0 ? s.client.latency.percentile(50) / 1e6 : Number.NaN,
    p95Ms: n > 0 ? s.client.latency.percentile(95) / 1e6 : Number.NaN,
    p99Ms: n > 0 ? s.client.latency.percentile(99) / 1e6 : Number.NaN,
    failures: s.client.non2xx + s.client.errors,
    linkUpPerRequest: per(s.link.up),
    linkDownPerRequest: per(s.link.down),
    visitorBytesPerRequest: per(s.client.bytesReceived),
    edgeCpuMsPerRequest: per(s.edge.cpuMs),
    originCpuMsPerRequest: per(s.origin.cpuMs),
    relayCpuMsPerRequest: per(s.link.cpuMs),
    clientCpuMsPerRequest: per(s.client.clientCpuMs),
    counters
  }
}

/** The median over rounds of every figure, in the order of {@link figures}. */
function medianOf (rounds: readonly LoadRoundFigures[]): LoadRoundFigures {
  const pick = (f: (r: LoadRoundFigures) => number): number => median(rounds.map(f))
  const names = new Set(rounds.flatMap(r => Object.keys(r.counters)))
  const numeric = Object.keys(rounds[0]!).filter(k => k !== 'counters') as Array<Exclude<keyof LoadRoundFigures, 'counters'>>
  return {
    ...Object.fromEntries(numeric.map(k => [k, pick(r => r[k])])) as Omit<LoadRoundFigures, 'counters'>,
    // Failures are summed, not a median: one is one too many.
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    counters: Object.fromEntries([...names].map(k => [k, pick(r => r.counters[k] ?? 0)]))
  }
}

async function measure (testbed: WanTestbed, c: RunningContender, paths: readonly string[], options: WanOptions, durationS: number): Promise<LoadSample> {
  await testbed.link.quiet()
  const mark = await testbed.link.mark()
  await Promise.all([c.edge.begin(), c.origin.begin()])
  const client = await runClosedLoad({ origin: c.edge.url, paths, headers: VISITOR_HEADERS, connections: options.connections, durationS })
  const [edge, origin] = await Promise.all([c.edge.end(), c.origin.end()])
  return { client, link: await testbed.link.usageSince(mark, c.route), edge, origin }
}

export async function runLoadPhase (testbed: WanTestbed, paths: readonly string[], options: WanOptions, progress: WanProgress): Promise<Map<string, LoadContenderResult>> {
  await Promise.all(testbed.contenders.map(c => resetSchedule(c.origin.url, options.schedule)))
  const merged = new Map<string, RecordableHistogram>(testbed.contenders.map(c => [c.spec.key, createHistogram()]))
  const contenders: Array<LoadContender<LoadRoundFigures>> = testbed.contenders.map(c => {
    let runs = 0
    return {
      name: c.spec.key,
      async run (durationS: number): Promise<LoadRoundFigures> {
        // runAlternating starts with one untimed warm-up run per contender.
        const warmup = options.warmupS > 0 && runs++ === 0
        progress.step(`${options.connections} visitors at once through ${c.spec.name} for ${durationS} s${warmup ? ' (warm-up)' : ''}`)
        const sample = await measure(testbed, c, paths, options, durationS)
        if (!warmup) merged.get(c.spec.key)!.add(sample.client.latency)
        return figures(sample)
      }
    }
  })
  const rounds = await runAlternating(contenders, options, function reportRound (round, thisRound) {
    const rates = testbed.contenders.map(c => `${c.spec.key} ${(thisRound.get(c.spec.key)?.rps ?? Number.NaN).toFixed(1)}`)
    progress.step(`fixed concurrency, round ${round}/${options.rounds}, req/s: ${rates.join(', ')}`, true)
  })
  return new Map(testbed.contenders.map(c => {
    const histogram = merged.get(c.spec.key)!
    const list = rounds.get(c.spec.key)!
    return [c.spec.key, {
      rounds: list,
      median: medianOf(list),
      distribution: histogram.count === 0 ? [] : CHART_PERCENTILES.map(p => [p, histogram.percentile(p) / 1e6] as const)
    }]
  }))
}
