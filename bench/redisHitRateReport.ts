import { bytes, DASH, percent, ratio, sourceLine } from './loadFormat.ts'
import type { Machine } from './machine.ts'
import { machineLine } from './machine.ts'
import { markdownTable } from './markdownTable.ts'
import { renderMethodTemplate } from './methodTemplate.ts'
import type { ReplayResult } from './redisHitRateReplay.ts'

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
  return [
    `### Node ${report.machine.node}`,
    '',
    machineLine(report.machine, 'redis'),
    '',
    sourceLine(report.synthetic, report.source, report.quick),
    '',
    table,
    '',
    renderMethodTemplate('redis', 4, report.redisReads)
  ].join('\n')
}
