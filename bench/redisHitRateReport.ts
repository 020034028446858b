import { bytes, DASH, percent, ratio, sourceLine } from './loadFormat.ts'
import type { Machine } from './machine.ts'
import { machineLine } from './machine.ts'
import { markdownTable } from './markdownTable.ts'
import type { ReplayResult } from './redisHitRateReplay.ts'

/** How to rerun and record the benchmark; printed with every report. */
export const REDIS_HIT_RATE_COMMAND = 'node scripts/pnpm.mjs --filter @coilgun/bench run redis -- --write'

/** The contenders, in table order; `peer` is what the Redis store is measured against. */
export const CONTENDERS = [
  { key: 'single', name: 'one instance, embedded store', instances: 1, redis: false },
  { key: 'peer', name: 'two instances, embedded stores (peer)', instances: 2, redis: false },
  { key: 'redis', name: 'two instances, shared Redis', instances: 2, redis: true }
] as const
export type ContenderKey = typeof CONTENDERS[number]['key']

export interface SetResults {
  readonly name: string
  readonly results: Readonly<Record<ContenderKey, ReplayResult>>
}

export interface RedisHitRateReport {
  readonly machine: Machine
  readonly source: string
  readonly synthetic: boolean
  readonly quick: boolean
  readonly sets: readonly SetResults[]
  /** Reads the two Redis stores answered from their in-process cache / from Redis, over all sets. */
  readonly redisReads: { readonly lruHits: number, readonly redisHits: number, readonly misses: number, readonly errors: number }
}

function sum (results: readonly ReplayResult[]): ReplayResult {
  return results.reduce((a, r) => ({
    requests: a.requests + r.requests,
    withBase: a.withBase + r.withBase,
    deltas: a.deltas + r.deltas,
    upstreamBytes: a.upstreamBytes + r.upstreamBytes,
    pageBytes: a.pageBytes + r.pageBytes
  }), { requests: 0, withBase: 0, deltas: 0, upstreamBytes: 0, pageBytes: 0 })
}

function rows (set: string, results: Readonly<Record<ContenderKey, ReplayResult>>): string[][] {
  const peer = results.peer
  return CONTENDERS.map(c => {
    const r = results[c.key]
    return [
      set,
      c.name,
      String(r.requests),
      `${r.deltas} of ${r.withBase}`,
      r.deltas === 0 ? '0%' : percent(100 * r.deltas / r.withBase),
      bytes(r.upstreamBytes),
      percent(100 * r.upstreamBytes / r.pageBytes),
      c.key === 'peer' ? 'peer' : r.upstreamBytes === 0 ? DASH : `${ratio(peer.upstreamBytes / r.upstreamBytes)} less`
    ]
  })
}

/** The Markdown block recorded in BENCHMARKS.md (and printed). */
export function renderRedisHitRate (report: RedisHitRateReport): string {
  const body: string[][] = []
  for (const set of report.sets) body.push(...rows(set.name, set.results))
  if (report.sets.length > 1) {
    const totals = Object.fromEntries(CONTENDERS.map(c => [c.key, sum(report.sets.map(s => s.results[c.key]))])) as Record<ContenderKey, ReplayResult>
    body.push(...rows('**all sets**', totals))
  }
  const table = markdownTable(
    ['corpus set', 'origin side', 'requests', 'deltas', 'hit rate', 'upstream bytes', '% of pages', 'vs peer'],
    body,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']
  )
  const reads = report.redisReads
  return [
    `### Node ${report.machine.node}`,
    '',
    machineLine(report.machine, REDIS_HIT_RATE_COMMAND),
    '',
    sourceLine(report.synthetic, report.source, report.quick),
    '',
    table,
    '',
    '- **Replay**: for each corpus set, its versions in order, each fetched once by one sender holding the previous one; with two instances an HTTP round-robin alternates them request by request, so each base was sent by the *other* instance.',
    '- **Hit rate**: answers that were deltas, over the requests that named a base (all but the first of each set).',
    '- **Upstream bytes**: response bodies from the origin side to the sender (deltas, or full bodies in brotli 4), headers not counted; "% of pages" against the raw versions served, "vs peer" how many times fewer bytes than the two instances with embedded stores.',
    `- **Redis reads** by the two instances over all sets: ${reads.redisHits} bases from Redis, ${reads.lruHits} from the in-process cache, ${reads.misses} misses, ${reads.errors} errors (redis-server on loopback, started by the bench).`
  ].join('\n')
}
