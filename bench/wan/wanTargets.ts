import { bytes, ms } from '../loadFormat.ts'
import { rps, times } from './wanFormat.ts'
import { WAN_CONTENDERS } from './wanContenders.ts'
import { DEFAULT_IDLE_S } from './wanOptions.ts'
import type { WanContenderRecord, WanRecord } from './wanRecord.ts'
import { family, LATENCY_PAGE_MAX_BYTES, LATENCY_PAGE_MIN_BYTES, SMALL_CHANGE_PERCENT, stepAt, summarizeReplay } from './wanSummary.ts'

// Issue 7's targets, checked against one run and said plainly, met or not. The
// benchmark is not tuned to them; the report shows how far each one is.

/** Issue 7: Coilgun sends at least this many times fewer bytes than the compressing proxy ... */
export const BYTES_TARGET = 20
/** ... sustains at least this many times its rate ... */
export const CAPACITY_TARGET = 10
/** ... and answers an idle link within this of the physical floor, ms. */
export const FLOOR_TARGET_MS = 10

/** Issue 17: bytes on the link per changed page besides the delta body, HTTP/2 with TLS (median over the replay). */
export const H2_HEADER_TARGET_BYTES = 200

export interface TargetVerdict {
  readonly target: string
  /** undefined: nothing to judge it on in this run (no such set, contender unavailable). */
  readonly met: boolean | undefined
  readonly detail: string
}

function verdict (target: string, checks: ReadonlyArray<{ ok: boolean, text: string }>, none: string): TargetVerdict {
  if (checks.length === 0) return { target, met: undefined, detail: none }
  return { target, met: checks.every(c => c.ok), detail: checks.map(c => `${c.ok ? '' : '**'}${c.text}${c.ok ? '' : '**'}`).join('; ') }
}

function bytesTargets (record: WanRecord, coilgun: readonly WanContenderRecord[], compressing: readonly WanContenderRecord[]): TargetVerdict[] {
  const smallSets = record.sets.filter(s => s.medianChangePercent < SMALL_CHANGE_PERCENT)
  const fewer: Array<{ ok: boolean, text: string }> = []
  const never: Array<{ ok: boolean, text: string }> = []
  for (const set of record.sets) {
    const best = Math.min(...compressing.map(p => summarizeReplay(p, set.name).bytesPerChange))
    for (const c of coilgun) {
      const own = summarizeReplay(c, set.name).bytesPerChange
      const x = best / own
      if (smallSets.includes(set)) fewer.push({ ok: x >= BYTES_TARGET, text: `${c.name} on ${set.name}: ${times(x)} fewer` })
      never.push({ ok: own <= best, text: `${c.name} on ${set.name}: ${bytes(own)} against ${bytes(best)}` })
    }
  }
  return [
    verdict(`bytes over the link per changed page: Coilgun at least ${BYTES_TARGET}x fewer than the compressing proxy (the smaller of gzip and brotli) on sets whose versions differ by under ${SMALL_CHANGE_PERCENT}%`, fewer, `no set whose versions differ by under ${SMALL_CHANGE_PERCENT}%`),
    verdict('bytes over the link: never more than the compressing proxy on any set', never, 'no set')
  ]
}

function capacityTarget (record: WanRecord, coilgun: readonly WanContenderRecord[], compressing: readonly WanContenderRecord[]): TargetVerdict {
  const peerRate = Math.max(...compressing.map(p => p.capacity.sustained ?? 0))
  const checks = coilgun.map(function capacityCheck (c) {
    const own = c.capacity.sustained ?? 0
    const atLeast = c.capacity.exceeded === undefined ? 'at least ' : ''
    const x = own / peerRate
    return { ok: x >= CAPACITY_TARGET, text: `${c.name}: ${atLeast}${rps(own)} req/s against ${rps(peerRate)}, ${atLeast}${times(x)}` }
  })
  return verdict(`link capacity (p99 under ${record.settings.limitMs} ms): Coilgun at least ${CAPACITY_TARGET}x the compressing proxy's (the higher of gzip and brotli)`, peerRate > 0 ? checks : [], 'the compressing proxy sustained no rate tried')
}

function floorTarget (record: WanRecord, coilgun: readonly WanContenderRecord[]): TargetVerdict {
  const sets = record.sets.filter(s => s.medianBytes >= LATENCY_PAGE_MIN_BYTES && s.medianBytes <= LATENCY_PAGE_MAX_BYTES)
  const checks = sets.flatMap(set => coilgun.map(function floorCheck (c) {
    const s = summarizeReplay(c, set.name)
    return { ok: s.aboveFloorP50Ms <= FLOOR_TARGET_MS, text: `${c.name} on ${set.name}: p50 ${ms(s.p50Ms)} ms, floor ${ms(s.floorP50Ms)} ms, ${ms(s.aboveFloorP50Ms)} ms above` }
  }))
  return verdict(`idle warm link: Coilgun's p50 for a ${LATENCY_PAGE_MIN_BYTES / 1000}-${LATENCY_PAGE_MAX_BYTES / 1000} KB page within ${FLOOR_TARGET_MS} ms of the physical floor`, checks, `no set with pages of ${LATENCY_PAGE_MIN_BYTES / 1000}-${LATENCY_PAGE_MAX_BYTES / 1000} KB`)
}

function neverSlowerTarget (record: WanRecord, coilgun: readonly WanContenderRecord[], compressing: readonly WanContenderRecord[]): TargetVerdict {
  const slower: string[] = []
  let compared = 0
  for (const c of coilgun) {
    for (const p of compressing) {
      for (const set of record.sets) {
        const own = summarizeReplay(c, set.name).p50Ms
        const peer = summarizeReplay(p, set.name).p50Ms
        compared++
        if (own > peer) slower.push(`idle, ${set.name}: ${c.name} p50 ${ms(own)} ms, ${p.name} ${ms(peer)} ms`)
      }
      for (const step of p.capacity.steps.filter(s => s.passed)) {
        const mine = stepAt(c, step.rate)
        if (mine === undefined) continue
        compared++
        if (mine.p50Ms > step.p50Ms || mine.p99Ms > step.p99Ms) {
          slower.push(`${step.rate} req/s: ${c.name} p50/p99 ${ms(mine.p50Ms)}/${ms(mine.p99Ms)} ms, ${p.name} ${ms(step.p50Ms)}/${ms(step.p99Ms)} ms`)
        }
      }
    }
  }
  const target = 'Coilgun never slower (p50, and p99 under load) than the compressing proxy at any load the latter sustains'
  if (compared === 0) return { target, met: undefined, detail: 'nothing to compare' }
  return { target, met: slower.length === 0, detail: slower.length === 0 ? `faster or equal in all ${compared} comparisons (idle per set, and every rate of the capacity ladder the compressing proxy sustained)` : `**slower in ${slower.length} of ${compared} comparisons**: ${slower.join('; ')}` }
}

/** The upper median, a value that was measured (as `bench link-headers` reports it); NaN for none. */
function upperMedian (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? Number.NaN : sorted[sorted.length >> 1]!
}

/** Issue 17: the link's own cost per changed page over HTTP/2, and the first request after a quiet spell. */
function linkTargets (record: WanRecord, coilgun: readonly WanContenderRecord[]): TargetVerdict[] {
  const http2 = coilgun.filter(c => WAN_CONTENDERS.some(spec => spec.key === c.key && spec.http2 === true))
  const headerChecks = http2.map(function headerCheck (c) {
    // After the first change of each set: its first exchange also primes HPACK.
    const overhead = upperMedian(c.replay.flatMap(s => s.changes.slice(1).map(x => x.up + x.down - x.bodyBytes)))
    // Only coilgun-listener ends its HTTP/2 streams in the last DATA frame: an app's own
    // server (the plugin's contender) may send trailers, so Coilgun leaves it alone.
    const note = c.key === 'railgun' ? '' : ' (an app server: its HTTP/2 answers end with an empty DATA frame, 31 B)'
    return { ok: overhead <= H2_HEADER_TARGET_BYTES, text: `${c.name}: ${Math.round(overhead)} B${note}` }
  })
  const idleS = record.settings.idleS ?? 0
  const quiet = coilgun.filter(c => c.idle !== undefined)
  const quietChecks = quiet.map(function quietCheck (c) {
    const r = c.idle!
    const above = r.ms - r.floorMs
    return { ok: r.newConnections === 0 && above <= FLOOR_TARGET_MS, text: `${c.name}: ${r.newConnections} new connections, ${ms(r.ms)} ms, ${ms(above)} ms above the floor` }
  })
  return [
    verdict(`link bytes per changed page besides the delta body, HTTP/2 with TLS (median, everything on the connection): at most ${H2_HEADER_TARGET_BYTES} B (issue 17)`, headerChecks, 'no HTTP/2 contender ran'),
    verdict(`the first request after ${idleS} s of silence: no new connection, within ${FLOOR_TARGET_MS} ms of the floor (issue 17${idleS < DEFAULT_IDLE_S ? `, which asks for ${DEFAULT_IDLE_S} s` : ''})`, quietChecks, 'not measured (--idle 0)')
  ]
}

export function judgeTargets (record: WanRecord): TargetVerdict[] {
  const coilgun = family(record, 'coilgun')
  const compressing = family(record, 'compressing')
  if (coilgun.length === 0) return []
  const link = linkTargets(record, coilgun)
  if (compressing.length === 0) return link
  return [...bytesTargets(record, coilgun, compressing), capacityTarget(record, coilgun, compressing), floorTarget(record, coilgun), neverSlowerTarget(record, coilgun, compressing), ...link]
}
