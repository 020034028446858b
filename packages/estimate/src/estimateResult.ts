import type { ChangeMeasurer, CodecStatus, MethodName } from './changeMeasurer.ts'
import { BROTLI_QUALITY, GZIP_LEVEL, METHOD_LABELS, SECRET_LENGTH } from './changeMeasurer.ts'
import type { EstimateOptions } from './estimateOptions.ts'
import type { Problem, ResourceTally, TimedChange } from './resourceTally.ts'

// The whole estimate as one plain object: what `--json` writes, and what the table
// and the HTML report are drawn from, so the three never disagree.

export interface MethodTotals {
  /** Bytes over all changes: body and header lines. */
  total: number
  body: number
  headers: number
  /** total / changes (undefined without a change). */
  perChange: number | undefined
  /** total as a share of the uncompressed pages' bytes, in percent. */
  percentOfPage: number | undefined
  /** How often each form was sent (`delta vcdiff+gzip`: 12, `full br`: 1). */
  forms: Record<string, number>
}

export interface ResourceResult {
  name: string
  resourceKey: string
  /** Polls made, or files read. */
  attempts: number
  /** Attempts that gave a version. */
  versionsSeen: number
  /** When each poll started, in ms after the start of the run (polling only). */
  pollOffsetsMs: number[]
  /** Distinct versions (by SHA-256). */
  distinctVersions: number
  changes: number
  /** From the first to the last version seen (polling only). */
  observedMs: number | undefined
  changesPerHour: number | undefined
  /** Mean time between two changes (polling only). */
  meanChangeIntervalMs: number | undefined
  methods: Partial<Record<MethodName, MethodTotals>>
  problems: Problem[]
  /** Remarks that are not failures, such as files skipped by extension. */
  notes: string[]
  /** Every change with every figure. */
  changeList: TimedChange[]
}

export interface EstimateResult {
  tool: 'coilgun-estimate'
  version: string
  node: string
  mode: 'poll' | 'dir'
  startedAt: string
  finishedAt: string
  /** True when Ctrl-C stopped the run: the figures are those measured until then. */
  interrupted: boolean
  settings: {
    urls: string[]
    dir: string | undefined
    everyMs: number
    forMs: number
    polls: number | undefined
    concurrency: number
    timeoutMs: number
    maxBytes: number
  }
  codecs: readonly CodecStatus[]
  methods: Array<{ name: MethodName, label: string }>
  /** How the figures were made. */
  method: {
    gzipLevel: number
    brotliQuality: number
    headerOverhead: string
    secretLength: number
  }
  resources: ResourceResult[]
  total: Omit<ResourceResult, 'name' | 'resourceKey' | 'problems' | 'notes' | 'pollOffsetsMs' | 'changeList' | 'observedMs' | 'meanChangeIntervalMs'> & { problems: number }
}

/** Measured, not modelled: the wording `--json` and the README carry. */
export const HEADER_OVERHEAD_NOTE = 'measured on every exchange: the header lines (HTTP/1.1 form, name: value CRLF) that Coilgun\'s own sender code puts on the request and its origin code puts on the answer, plus the 5 bytes of a longer `226 IM Used` status line; for visitor dictionaries, the RFC 9842 lines Available-Dictionary, Content-Encoding, Vary and Use-As-Dictionary. HTTP/2 and HTTP/3 header compression makes them smaller.'

function totals (methods: readonly MethodName[], changes: readonly TimedChange[]): Partial<Record<MethodName, MethodTotals>> {
  const out: Partial<Record<MethodName, MethodTotals>> = {}
  let pages = 0
  for (const c of changes) pages += c.size
  for (const m of methods) {
    const t: MethodTotals = { total: 0, body: 0, headers: 0, perChange: undefined, percentOfPage: undefined, forms: {} }
    for (const c of changes) {
      const f = c.methods[m]
      if (f === undefined) continue
      t.total += f.total
      t.body += f.body
      t.headers += f.headers
      t.forms[f.form] = (t.forms[f.form] ?? 0) + 1
    }
    if (changes.length > 0) t.perChange = t.total / changes.length
    if (pages > 0) t.percentOfPage = 100 * t.total / pages
    out[m] = t
  }
  return out
}

function resourceResult (tally: ResourceTally, methods: readonly MethodName[], startedMs: number): ResourceResult {
  const observedMs = tally.firstSeenMs === undefined || tally.lastSeenMs === undefined ? undefined : tally.lastSeenMs - tally.firstSeenMs
  const changes = tally.changes.length
  const times = tally.changes.map(c => c.at === undefined ? NaN : Date.parse(c.at)).filter(Number.isFinite)
  return {
    name: tally.name,
    resourceKey: tally.resourceKey,
    attempts: tally.attempts,
    versionsSeen: tally.versionsSeen,
    pollOffsetsMs: tally.pollStartsMs.map(t => t - startedMs),
    distinctVersions: tally.distinct.size,
    changes,
    observedMs,
    changesPerHour: observedMs === undefined || observedMs <= 0 ? undefined : changes / (observedMs / 3_600_000),
    meanChangeIntervalMs: times.length < 2 ? undefined : (times[times.length - 1]! - times[0]!) / (times.length - 1),
    methods: totals(methods, tally.changes),
    problems: tally.problems,
    notes: [...tally.notes],
    changeList: [...tally.changes]
  }
}

export interface ResultContext {
  version: string
  options: EstimateOptions
  measurer: ChangeMeasurer
  startedMs: number
  interrupted: boolean
}

export function buildResult (tallies: readonly ResourceTally[], ctx: ResultContext): EstimateResult {
  const methods = ctx.measurer.methods
  const resources = tallies.map(t => resourceResult(t, methods, ctx.startedMs))
  const allChanges = tallies.flatMap(t => t.changes)
  const o = ctx.options
  return {
    tool: 'coilgun-estimate',
    version: ctx.version,
    node: process.version,
    mode: o.mode,
    startedAt: new Date(ctx.startedMs).toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted: ctx.interrupted,
    settings: { urls: o.urls.map(u => u.href), dir: o.dir, everyMs: o.everyMs, forMs: o.forMs, polls: o.polls, concurrency: o.concurrency, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes },
    codecs: ctx.measurer.codecs,
    methods: methods.map(name => ({ name, label: METHOD_LABELS[name] })),
    method: { gzipLevel: GZIP_LEVEL, brotliQuality: BROTLI_QUALITY, headerOverhead: HEADER_OVERHEAD_NOTE, secretLength: SECRET_LENGTH },
    resources,
    total: {
      attempts: sum(resources.map(r => r.attempts)),
      versionsSeen: sum(resources.map(r => r.versionsSeen)),
      distinctVersions: sum(resources.map(r => r.distinctVersions)),
      changes: allChanges.length,
      changesPerHour: resources.some(r => r.changesPerHour !== undefined) ? sum(resources.map(r => r.changesPerHour ?? 0)) : undefined,
      methods: totals(methods, allChanges),
      problems: sum(tallies.map(t => t.problemCount))
    }
  }
}

function sum (values: readonly number[]): number {
  let s = 0
  for (const v of values) s += v
  return s
}
