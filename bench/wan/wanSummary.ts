import { median } from '../codecsSummary.ts'
import type { CapacityStep } from './capacityPhase.ts'
import { nearestRank } from './openLoad.ts'
import type { ReplayChange } from './replayPhase.ts'
import type { WanContenderRecord, WanRecord } from './wanRecord.ts'
import { BASELINE } from './wanContenders.ts'

// Figures the report and the charts read from a WAN record: per contender and
// corpus set, or over all sets.

export interface ReplaySummary {
  /** Bytes over the link per changed page, both directions. */
  readonly bytesPerChange: number
  /** Answer bodies per changed page (the rest of the bytes are HTTP headers, both ways). */
  readonly bodyPerChange: number
  readonly p50Ms: number
  readonly p95Ms: number
  /** Median of the per-request floors, and of each request's time above its floor. */
  readonly floorP50Ms: number
  readonly aboveFloorP50Ms: number
  /**
   * Coilgun only, from the sender's `ut=` (which ends once the page is rebuilt and
   * verified): median time of that above the floor (the origin's work, then decoding
   * and verifying) and median time in the edge after it (compressing for the visitor,
   * sending); NaN for a plain proxy.
   */
  readonly upstreamAboveFloorP50Ms: number
  readonly edgeP50Ms: number
  /** Kinds of answer (`delta vcdiff+gzip`, `full br`, ...) and how many. */
  readonly kinds: Readonly<Record<string, number>>
}

function changesOf (c: WanContenderRecord, set: string | undefined): ReplayChange[] {
  return c.replay.filter(r => set === undefined || r.set === set).flatMap(r => r.changes)
}

export function summarizeReplay (c: WanContenderRecord, set?: string): ReplaySummary {
  const changes = changesOf(c, set)
  const n = changes.length
  const sum = (f: (x: ReplayChange) => number): number => changes.reduce((s, x) => s + f(x), 0)
  const times = changes.map(x => x.ms).sort((a, b) => a - b)
  const kinds: Record<string, number> = {}
  for (const x of changes) kinds[x.kind] = (kinds[x.kind] ?? 0) + 1
  return {
    bytesPerChange: n > 0 ? sum(x => x.up + x.down) / n : Number.NaN,
    bodyPerChange: n > 0 ? sum(x => x.bodyBytes) / n : Number.NaN,
    p50Ms: nearestRank(times, 50),
    p95Ms: nearestRank(times, 95),
    floorP50Ms: median(changes.map(x => x.floorMs)),
    aboveFloorP50Ms: median(changes.map(x => x.ms - x.floorMs)),
    upstreamAboveFloorP50Ms: median(changes.map(x => x.upstreamMs - x.floorMs)),
    edgeP50Ms: median(changes.map(x => x.ms - x.upstreamMs)),
    kinds
  }
}

export function baselineOf (record: WanRecord): WanContenderRecord | undefined {
  return record.contenders.find(c => c.key === BASELINE)
}

export function family (record: WanRecord, f: WanContenderRecord['family']): WanContenderRecord[] {
  return record.contenders.filter(c => c.family === f)
}

/** The step of `c`'s capacity search at `rate`, if it ran one. */
export function stepAt (c: WanContenderRecord, rate: number): CapacityStep | undefined {
  return c.capacity.steps.find(s => s.rate === rate)
}

/** Rates every contender's search tried (the shared ladder), ascending. */
export function ladderRates (record: WanRecord): number[] {
  const rates = new Set(record.contenders.flatMap(c => c.capacity.steps.map(s => s.rate)))
  return [...rates].sort((a, b) => a - b)
}

/** Sets whose versions differ by under this (median raw vcdiff delta, % of the page): issue 7's bytes target. */
export const SMALL_CHANGE_PERCENT = 2
/** Page sizes of issue 7's latency target. */
export const LATENCY_PAGE_MIN_BYTES = 200_000
export const LATENCY_PAGE_MAX_BYTES = 400_000
