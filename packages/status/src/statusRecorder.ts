import { LRUCache } from 'lru-cache'

// Issue 19: what a sender or listener did over the last hour, for the status page on
// its admin port. It reads the Prometheus registry the process already keeps (no
// second set of counters), snapshots the totals every interval into a ring buffer,
// and serves the differences between snapshots as per-interval points.

/** Seconds between snapshots. @default 10 s */
export const DEFAULT_STATUS_INTERVAL_MS = 10_000
/** How far back the page looks. @default 1 hour */
export const DEFAULT_STATUS_WINDOW_MS = 3_600_000
/** Resources tracked for the "saved the most" table (least recently seen evicted). */
export const DEFAULT_STATUS_TOP_RESOURCES = 1000
/** Rows in the "saved the most" table. */
const TOP_ROWS = 20

/** The slice of prom-client's Registry the recorder reads (structural, no dependency). */
export interface MetricSource {
  getMetricsAsJSON (): Promise<ReadonlyArray<{ name: string, values: ReadonlyArray<{ value: number, labels: Readonly<Record<string, string | number | undefined>>, metricName?: string }> }>>
}

/** Which metrics of the registry feed which chart. Optional ones are omitted when absent. */
export interface StatusSeries {
  /** Counter: body bytes on the sender-origin link. */
  readonly linkBytes: string
  /** Counters whose sum is the bytes of the pages served (what the link would carry without Coilgun, uncompressed). */
  readonly pageBytes: readonly string[]
  /** Counter labelled `outcome`. */
  readonly outcomes: string
  /** Counter labelled `codec`. */
  readonly codecs?: string
  /** Histogram, in seconds, of the upstream (origin) time. */
  readonly latency: string
  readonly cacheBytes?: string
  readonly cacheEntries?: string
  /** Counter of answers that failed verification. */
  readonly verificationFailures?: string
}

export interface StatusRecorderOptions {
  readonly service: string
  readonly source: MetricSource
  readonly series: StatusSeries
  /** @default DEFAULT_STATUS_INTERVAL_MS */
  readonly intervalMs?: number | undefined
  /** @default DEFAULT_STATUS_WINDOW_MS */
  readonly windowMs?: number | undefined
}

interface Snapshot {
  t: number
  linkBytes: number
  pageBytes: number
  outcomes: Record<string, number>
  codecs: Record<string, number>
  /** Cumulative count per bucket upper bound (seconds), ascending; +Inf last. */
  buckets: Array<[number, number]>
  cacheBytes: number | undefined
  cacheEntries: number | undefined
  verificationFailures: number
}

export interface StatusPoint {
  /** End of the interval, ms since the epoch. */
  readonly t: number
  readonly linkBytes: number
  readonly pageBytes: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly codecs: Readonly<Record<string, number>>
  /** Upstream time percentiles in ms over the interval; null when nothing was timed. */
  readonly p50: number | null
  readonly p90: number | null
  readonly p99: number | null
  readonly cacheBytes: number | null
  readonly cacheEntries: number | null
  readonly verificationFailures: number
}

export interface StatusResource {
  readonly resource: string
  readonly pages: number
  readonly pageBytes: number
  readonly linkBytes: number
}

export interface StatusReport {
  readonly service: string
  readonly intervalMs: number
  readonly windowMs: number
  readonly now: number
  readonly startedAt: number
  readonly totals: { readonly linkBytes: number, readonly pageBytes: number }
  readonly has: { readonly codecs: boolean, readonly cache: boolean, readonly verification: boolean }
  readonly points: readonly StatusPoint[]
  readonly topResources: readonly StatusResource[]
}

/**
 * Percentile from histogram bucket deltas, interpolated linearly inside the bucket as
 * Prometheus' histogram_quantile does; in ms.
 */
function percentile (buckets: ReadonlyArray<readonly [number, number]>, q: number): number | null {
  const total = buckets.at(-1)?.[1] ?? 0
  if (total <= 0) return null
  const rank = q * total
  let lowerBound = 0
  let lowerCount = 0
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerBound * 1000
      const inBucket = count - lowerCount
      const frac = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket
      return (lowerBound + (le - lowerBound) * frac) * 1000
    }
    lowerBound = le
    lowerCount = count
  }
  return lowerBound * 1000
}

function diff (a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) out[key] = Math.max(0, (b[key] ?? 0) - (a[key] ?? 0))
  return out
}

export class StatusRecorder {
  readonly #options: Required<Omit<StatusRecorderOptions, 'series'>> & { series: StatusSeries }
  readonly #snapshots: Snapshot[] = []
  readonly #resources = new LRUCache<string, { pages: number, pageBytes: number, linkBytes: number }>({ max: DEFAULT_STATUS_TOP_RESOURCES })
  readonly #startedAt = Date.now()
  #timer: NodeJS.Timeout | undefined
  /** The timer's callback, bound once (STYLE rule 6: no closure per tick). */
  readonly #snapshot = (): void => { void this.sample() }
  #sampling: Promise<void> | undefined

  constructor (options: StatusRecorderOptions) {
    this.#options = Object.freeze({
      service: options.service,
      source: options.source,
      series: options.series,
      intervalMs: options.intervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
      windowMs: options.windowMs ?? DEFAULT_STATUS_WINDOW_MS
    })
  }

  /** Takes the first snapshot and one every interval until close(). */
  start (): void {
    if (this.#timer !== undefined) return
    void this.sample()
    this.#timer = setInterval(this.#snapshot, this.#options.intervalMs)
    this.#timer.unref()
  }

  close (): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  /**
   * Counts one page served for `resource` (host and path, never the query string or
   * a header value): its size and the bytes the link carried for it.
   */
  recordPage (resource: string, pageBytes: number, linkBytes: number): void {
    const entry = this.#resources.get(resource) ?? { pages: 0, pageBytes: 0, linkBytes: 0 }
    entry.pages++
    entry.pageBytes += pageBytes
    entry.linkBytes += linkBytes
    this.#resources.set(resource, entry)
  }

  /** Takes one snapshot now (the timer calls this; tests may too). */
  async sample (): Promise<void> {
    if (this.#sampling !== undefined) return this.#sampling
    this.#sampling = this.#read().then((snapshot) => {
      this.#snapshots.push(snapshot)
      const keep = Math.ceil(this.#options.windowMs / this.#options.intervalMs) + 1
      while (this.#snapshots.length > keep) this.#snapshots.shift()
    }).finally(() => { this.#sampling = undefined })
    return this.#sampling
  }

  async #read (): Promise<Snapshot> {
    const { series } = this.#options
    const metrics = new Map((await this.#options.source.getMetricsAsJSON()).map(m => [m.name, m]))
    const sum = (name: string | undefined): number => name === undefined ? 0 : (metrics.get(name)?.values ?? []).reduce((acc, v) => acc + v.value, 0)
    const byLabel = (name: string | undefined, label: string): Record<string, number> => {
      const out: Record<string, number> = {}
      for (const v of (name === undefined ? undefined : metrics.get(name))?.values ?? []) {
        const key = String(v.labels[label] ?? 'other')
        out[key] = (out[key] ?? 0) + v.value
      }
      return out
    }
    const buckets = new Map<number, number>()
    for (const v of metrics.get(series.latency)?.values ?? []) {
      if (v.metricName !== undefined && !v.metricName.endsWith('_bucket')) continue
      const le = v.labels.le
      if (le === undefined) continue
      const bound = le === '+Inf' ? Infinity : Number(le)
      buckets.set(bound, (buckets.get(bound) ?? 0) + v.value)
    }
    const gauge = (name: string | undefined): number | undefined => name === undefined || !metrics.has(name) ? undefined : sum(name)
    return {
      t: Date.now(),
      linkBytes: sum(series.linkBytes),
      pageBytes: series.pageBytes.reduce((acc, name) => acc + sum(name), 0),
      outcomes: byLabel(series.outcomes, 'outcome'),
      codecs: byLabel(series.codecs, 'codec'),
      buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]),
      cacheBytes: gauge(series.cacheBytes),
      cacheEntries: gauge(series.cacheEntries),
      verificationFailures: sum(series.verificationFailures)
    }
  }

  /** The last hour as per-interval points, the totals, and the resources that saved the most. */
  async report (): Promise<StatusReport> {
    // A point for the interval still running, so a page opened early shows data.
    const live = await this.#read()
    const snaps = [...this.#snapshots, live]
    const points: StatusPoint[] = []
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1]!
      const b = snaps[i]!
      const bucketDelta = b.buckets.map(([le, count]) => [le, count - (a.buckets.find(x => x[0] === le)?.[1] ?? 0)] as [number, number])
      points.push({
        t: b.t,
        linkBytes: Math.max(0, b.linkBytes - a.linkBytes),
        pageBytes: Math.max(0, b.pageBytes - a.pageBytes),
        outcomes: diff(a.outcomes, b.outcomes),
        codecs: diff(a.codecs, b.codecs),
        p50: percentile(bucketDelta, 0.5),
        p90: percentile(bucketDelta, 0.9),
        p99: percentile(bucketDelta, 0.99),
        cacheBytes: b.cacheBytes ?? null,
        cacheEntries: b.cacheEntries ?? null,
        verificationFailures: Math.max(0, b.verificationFailures - a.verificationFailures)
      })
    }
    const topResources = [...this.#resources.entries()]
      .map(([resource, e]) => ({ resource, ...e }))
      .sort((x, y) => (y.pageBytes - y.linkBytes) - (x.pageBytes - x.linkBytes))
      .slice(0, TOP_ROWS)
    const { series } = this.#options
    return {
      service: this.#options.service,
      intervalMs: this.#options.intervalMs,
      windowMs: this.#options.windowMs,
      now: live.t,
      startedAt: this.#startedAt,
      totals: { linkBytes: live.linkBytes, pageBytes: live.pageBytes },
      has: { codecs: series.codecs !== undefined, cache: live.cacheBytes !== undefined, verification: series.verificationFailures !== undefined },
      points,
      topResources
    }
  }
}
