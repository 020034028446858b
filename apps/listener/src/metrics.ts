import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ActiveHealthCheck } from '@coilgun/service'
import { STATUS_CLASSES, statusClass, UPSTREAM_ERROR_KINDS } from '@coilgun/service'
import type { RedisVersionStore } from '@coilgun/redis'
import { registerBuildInfo } from './buildInfo.ts'
import { REQUEST_OUTCOMES } from './requestOutcome.ts'
import type { RequestOutcome } from './requestOutcome.ts'

/** Kinds of classifyUpstreamError (core), present from start at 0. */

/**
 * Prometheus metrics of one listener (its own registry), named by the Prometheus
 * conventions (issue 16): counters end in `_total` and exist from start at 0 for
 * every label set; process and Node metrics keep their standard names.
 */
export class ListenerMetrics {
  readonly registry = new Registry()
  readonly requests: Counter<'outcome' | 'status_class'>
  readonly originBytes: Counter
  readonly senderBytes: Counter
  readonly originErrors: Counter<'kind'>
  readonly originDuration: Histogram
  readonly senderAborts: Counter

  constructor (redis?: RedisVersionStore, codecs: readonly string[] = []) {
    const registers = [this.registry]
    if (redis !== undefined) {
      new Gauge({ name: 'coilgun_listener_redis_healthy', help: '1 while the shared Redis store answers, 0 during an outage (full answers, /readyz says degraded)', registers, collect () { this.set(redis.stats().healthy ? 1 : 0) } })
      // A counter fed from the store's running totals at scrape time: commands that
      // failed or timed out, and connection errors (which is what an outage is made
      // of: while Redis is down no command is even sent).
      const seen = { command: 0, connection: 0 }
      const errors = new Counter({
        name: 'coilgun_listener_redis_errors_total',
        help: 'Redis errors: failed or timed-out commands (kind=command) and connection errors (kind=connection)',
        labelNames: ['kind'],
        registers,
        collect () {
          const stats = redis.stats()
          this.inc({ kind: 'command' }, stats.errors - seen.command)
          this.inc({ kind: 'connection' }, stats.connectionErrors - seen.connection)
          seen.command = stats.errors
          seen.connection = stats.connectionErrors
        }
      })
      errors.inc({ kind: 'command' }, 0)
      errors.inc({ kind: 'connection' }, 0)
    }
    this.requests = new Counter({ name: 'coilgun_listener_requests_total', help: 'Requests by outcome (delta, full, not-modified, passthrough, misdirected, bad-host, error, rejected) and status class', labelNames: ['outcome', 'status_class'], registers })
    this.originBytes = new Counter({ name: 'coilgun_listener_origin_bytes_total', help: 'Body bytes received from origins for Coilgun answers', registers })
    this.senderBytes = new Counter({ name: 'coilgun_listener_sender_bytes_total', help: 'Body bytes of Coilgun answers sent to senders', registers })
    this.originErrors = new Counter({ name: 'coilgun_listener_origin_errors_total', help: 'Origin failures answered with 502/504, by kind', labelNames: ['kind'], registers })
    this.originDuration = new Histogram({ name: 'coilgun_listener_origin_duration_seconds', help: 'Time until the origin\'s response headers', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers })
    this.senderAborts = new Counter({ name: 'coilgun_listener_sender_aborts_total', help: 'Requests the sender gave up on before the answer was complete (not origin errors)', registers })
    for (const outcome of REQUEST_OUTCOMES) for (const cls of STATUS_CLASSES) this.requests.inc({ outcome, status_class: cls }, 0)
    for (const kind of UPSTREAM_ERROR_KINDS) this.originErrors.inc({ kind }, 0)
    registerBuildInfo(this.registry, codecs)
    collectDefaultMetrics({ register: this.registry })
  }

  /** Counts one answered request (called once, from the onResponse hook). */
  countRequest (outcome: RequestOutcome, status: number): void {
    this.requests.inc({ outcome, status_class: statusClass(status) })
  }

  /** `coilgun_listener_origin_healthy{origin}` and `coilgun_listener_degraded`. */
  watchHealth (check: ActiveHealthCheck, degraded: () => boolean): void {
    const registers = [this.registry]
    new Gauge({
      name: 'coilgun_listener_origin_healthy',
      help: 'Active health check of each origin: 1 healthy, 0 unhealthy (not yet probed counts as 0)',
      labelNames: ['origin'],
      registers,
      collect () { for (const o of check.status()) this.set({ origin: o.url }, o.healthy === true ? 1 : 0) }
    })
    new Gauge({ name: 'coilgun_listener_degraded', help: '1 while the listener is ready but degraded (shared Redis unavailable: full answers only)', registers, collect () { this.set(degraded() ? 1 : 0) } })
  }
}
