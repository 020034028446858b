import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RedisVersionStore } from '@coilgun/redis'

/** Prometheus metrics of one listener (its own registry). */
export class ListenerMetrics {
  readonly registry = new Registry()
  readonly requests: Counter<'outcome'>
  readonly originBytes: Counter
  readonly senderBytes: Counter
  readonly originErrors: Counter<'kind'>
  readonly originDuration: Histogram
  readonly senderAborts: Counter

  constructor (redis?: RedisVersionStore) {
    const registers = [this.registry]
    if (redis !== undefined) {
      new Gauge({ name: 'coilgun_listener_redis_healthy', help: '1 while the shared Redis store answers, 0 during an outage (full answers)', registers, collect () { this.set(redis.stats().healthy ? 1 : 0) } })
      new Gauge({ name: 'coilgun_listener_redis_errors', help: 'Redis commands that failed or timed out since start', registers, collect () { this.set(redis.stats().errors) } })
    }
    this.requests = new Counter({ name: 'coilgun_listener_requests_total', help: 'Requests by outcome (delta, full, not-modified, passthrough, misdirected, error)', labelNames: ['outcome'], registers })
    this.originBytes = new Counter({ name: 'coilgun_listener_origin_bytes_total', help: 'Body bytes received from origins for Coilgun answers', registers })
    this.senderBytes = new Counter({ name: 'coilgun_listener_sender_bytes_total', help: 'Body bytes of Coilgun answers sent to senders', registers })
    this.originErrors = new Counter({ name: 'coilgun_listener_origin_errors_total', help: 'Origin failures answered with 502/504, by kind', labelNames: ['kind'], registers })
    this.originDuration = new Histogram({ name: 'coilgun_listener_origin_duration_seconds', help: 'Time until the origin\'s response headers', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers })
    this.senderAborts = new Counter({ name: 'coilgun_listener_sender_aborts_total', help: 'Requests the sender gave up on before the answer was complete (not origin errors)', registers })
    collectDefaultMetrics({ register: this.registry, prefix: 'coilgun_listener_process_' })
  }
}
