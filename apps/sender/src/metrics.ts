import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ActiveHealthCheck } from '@coilgun/service'
import { STATUS_CLASSES, statusClass, UPSTREAM_ERROR_KINDS } from '@coilgun/service'
import { registerBuildInfo } from './buildInfo.ts'
import { REQUEST_OUTCOMES } from './requestOutcome.ts'
import type { RequestOutcome } from './requestOutcome.ts'
import type { VersionCache } from './versionCache.ts'

/** Kinds of classifyUpstreamError (core), present from start at 0. */
/** Coded reasons a delta or body fails verification on the sender. */
export const VERIFICATION_REASONS = ['COILGUN_ERR_DELTA_CORRUPT', 'COILGUN_ERR_DELTA_TOO_LARGE', 'COILGUN_ERR_DICTIONARY_MISMATCH', 'COILGUN_ERR_VERIFY_FAILED', 'COILGUN_ERR_UNSUPPORTED_ENCODING'] as const

/**
 * Prometheus metrics of one sender (its own registry: nothing global). Naming
 * follows the Prometheus conventions (issue 16): counters end in `_total`, every
 * label set of a counter exists from start at 0 (so `rate()` and alerts see the
 * first event), process and Node metrics keep their standard names
 * (`process_cpu_seconds_total`, `nodejs_*`) so stock dashboards work.
 */
export class SenderMetrics {
  readonly registry = new Registry()
  readonly requests: Counter<'outcome' | 'status_class'>
  readonly upstreamBytes: Counter
  readonly visitorBytes: Counter
  readonly bytesSaved: Counter
  readonly verificationFailures: Counter<'reason'>
  readonly upstreamErrors: Counter<'kind'>
  readonly upstreamDuration: Histogram
  readonly visitorDictionaryAnswers: Counter<'coding'>
  readonly deltaCodecs: Counter<'codec'>
  readonly visitorAborts: Counter

  constructor (cache: VersionCache, codecs: readonly string[] = []) {
    const registers = [this.registry]
    this.requests = new Counter({ name: 'coilgun_requests_total', help: 'Visitor requests by outcome (delta, full, not-modified, fallback, passthrough, head, busy, error, rejected) and status class', labelNames: ['outcome', 'status_class'], registers })
    this.upstreamBytes = new Counter({ name: 'coilgun_upstream_bytes_total', help: 'Body bytes received from the origin', registers })
    this.visitorBytes = new Counter({ name: 'coilgun_visitor_bytes_total', help: 'Body bytes sent to visitors', registers })
    this.bytesSaved = new Counter({ name: 'coilgun_bytes_saved_total', help: 'Page bytes served minus bytes received from the origin, for Coilgun answers', registers })
    this.verificationFailures = new Counter({ name: 'coilgun_verification_failures_total', help: 'Deltas or bodies that failed decoding or verification, by coded reason', labelNames: ['reason'], registers })
    this.upstreamErrors = new Counter({ name: 'coilgun_upstream_errors_total', help: 'Upstream failures answered with 502/504, by kind', labelNames: ['kind'], registers })
    this.upstreamDuration = new Histogram({ name: 'coilgun_upstream_duration_seconds', help: 'Time from upstream request to complete answer', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers })
    this.visitorDictionaryAnswers = new Counter({ name: 'coilgun_visitor_dictionary_answers_total', help: 'Pages sent to visitors as RFC 9842 deltas against a dictionary they held, by coding', labelNames: ['coding'], registers })
    for (const coding of ['dcb', 'dcz']) this.visitorDictionaryAnswers.inc({ coding }, 0)
    this.deltaCodecs = new Counter({ name: 'coilgun_delta_answers_total', help: 'Pages rebuilt from a delta, by codec on the link (vcdiff, vcdiff+gzip, dcz, dcb)', labelNames: ['codec'], registers })
    for (const codec of ['vcdiff', 'vcdiff+gzip', 'dcz', 'dcb']) this.deltaCodecs.inc({ codec }, 0)
    this.visitorAborts = new Counter({ name: 'coilgun_visitor_aborts_total', help: 'Visitors that closed their connection before their answer was complete (not upstream errors)', registers })
    new Gauge({ name: 'coilgun_cache_bytes', help: 'Bytes held in the version cache', registers, collect () { this.set(cache.bytes) } })
    new Gauge({ name: 'coilgun_cache_entries', help: 'Resources held in the version cache', registers, collect () { this.set(cache.entries) } })
    for (const outcome of REQUEST_OUTCOMES) for (const cls of STATUS_CLASSES) this.requests.inc({ outcome, status_class: cls }, 0)
    for (const kind of UPSTREAM_ERROR_KINDS) this.upstreamErrors.inc({ kind }, 0)
    for (const reason of VERIFICATION_REASONS) this.verificationFailures.inc({ reason }, 0)
    registerBuildInfo(this.registry, codecs)
    collectDefaultMetrics({ register: this.registry })
  }

  /** Counts one answered visitor request (called once, from the onResponse hook). */
  countRequest (outcome: RequestOutcome, status: number): void {
    this.requests.inc({ outcome, status_class: statusClass(status) })
  }

  /** `coilgun_upstream_healthy{upstream}`: 1 while the active health check passes. */
  watchUpstreams (check: ActiveHealthCheck): void {
    new Gauge({
      name: 'coilgun_upstream_healthy',
      help: 'Active health check of each upstream: 1 healthy, 0 unhealthy (not yet probed counts as 0)',
      labelNames: ['upstream'],
      registers: [this.registry],
      collect () { for (const u of check.status()) this.set({ upstream: u.url }, u.healthy === true ? 1 : 0) }
    })
  }
}
