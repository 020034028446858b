import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { VersionCache } from './versionCache.ts'

/** Prometheus metrics of one sender (its own registry: nothing global). */
export class SenderMetrics {
  readonly registry = new Registry()
  readonly requests: Counter<'outcome'>
  readonly upstreamBytes: Counter
  readonly visitorBytes: Counter
  readonly bytesSaved: Counter
  readonly verificationFailures: Counter<'reason'>
  readonly upstreamErrors: Counter<'kind'>
  readonly upstreamDuration: Histogram
  readonly visitorAborts: Counter

  constructor (cache: VersionCache) {
    const registers = [this.registry]
    this.requests = new Counter({ name: 'coilgun_requests_total', help: 'Visitor requests by outcome (delta, full, not-modified, fallback, passthrough, head, busy, error)', labelNames: ['outcome'], registers })
    this.upstreamBytes = new Counter({ name: 'coilgun_upstream_bytes_total', help: 'Body bytes received from the origin', registers })
    this.visitorBytes = new Counter({ name: 'coilgun_visitor_bytes_total', help: 'Body bytes sent to visitors', registers })
    this.bytesSaved = new Counter({ name: 'coilgun_bytes_saved_total', help: 'Page bytes served minus bytes received from the origin, for Coilgun answers', registers })
    this.verificationFailures = new Counter({ name: 'coilgun_verification_failures_total', help: 'Deltas or bodies that failed decoding or verification, by coded reason', labelNames: ['reason'], registers })
    this.upstreamErrors = new Counter({ name: 'coilgun_upstream_errors_total', help: 'Upstream failures answered with 502/504, by kind', labelNames: ['kind'], registers })
    this.upstreamDuration = new Histogram({ name: 'coilgun_upstream_duration_seconds', help: 'Time from upstream request to complete answer', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers })
    this.visitorAborts = new Counter({ name: 'coilgun_visitor_aborts_total', help: 'Visitors that closed their connection before their answer was complete (not upstream errors)', registers })
    new Gauge({ name: 'coilgun_cache_bytes', help: 'Bytes held in the version cache', registers, collect () { this.set(cache.bytes) } })
    new Gauge({ name: 'coilgun_cache_entries', help: 'Resources held in the version cache', registers, collect () { this.set(cache.entries) } })
    collectDefaultMetrics({ register: this.registry, prefix: 'coilgun_process_' })
  }
}
