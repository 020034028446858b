import { Pool } from 'undici'
import type { ActiveHealthCheck } from '@coilgun/service'
import type { Dispatcher } from 'undici'
import type { SenderConfig } from './config.ts'
import { UpstreamAdmission } from './admission.ts'
import { UpstreamTlsMaterial } from './upstreamTlsReload.ts'
import { HTTP2_STREAMS_PER_CONNECTION, UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS, UPSTREAM_KEEP_ALIVE_TIMEOUT_MS, upstreamPipelining, upstreamProtocolOptions } from './upstreamProtocol.ts'

/**
 * How often an upstream taken out of rotation is probed (the health check's
 * unhealthyIntervalMs): it is back in rotation within a second of answering again.
 */
export const UNHEALTHY_PROBE_INTERVAL_MS = 1_000

/**
 * The keep-alive connection pools to the origin(s), built once at start (and
 * injectable for tests). Requests rotate over the upstreams; the health check
 * decides which are in rotation: one that fails its probes, or a real request
 * (`markDown`), is out until a probe reaches it again (activeHealthCheck.ts).
 */
export class UpstreamPools {
  readonly origins: readonly string[]
  readonly #pools: Dispatcher[]
  readonly #admission: UpstreamAdmission[]
  readonly #health: ActiveHealthCheck
  readonly #owned: boolean
  #next = 0

  /** `tlsMaterial` is read at each pool build: SIGHUP may replace it (upstreamTlsReload.ts, issue 16). */
  constructor (config: SenderConfig, health: ActiveHealthCheck, dispatcher?: Dispatcher, tlsMaterial = new UpstreamTlsMaterial(config)) {
    this.origins = config.upstreams
    this.#owned = dispatcher === undefined
    // Over HTTP/2 each connection carries up to `pipelining` requests at once; with
    // `auto` (upstreamProtocol.ts) ALPN tells, and the admission lanes follow.
    const connections = [config.upstreamConnections, config.upstreamStreamConnections] as const
    const admission = this.#admission = config.upstreams.map(function lanes (origin) {
      const perConnection = upstreamPipelining(config.upstreamHttp2, origin)
      return new UpstreamAdmission(origin, config.upstreamConnections * perConnection, config.upstreamStreamConnections * perConnection, config.upstreamQueue, connections)
    })
    this.#pools = config.upstreams.map((origin, index) => dispatcher ?? tlsMaterial.dispatcher(tls => new Pool(origin, {
      // Page lane plus download lane (admission.ts): admission keeps undici's own,
      // unbounded queue empty.
      connections: config.upstreamConnections + config.upstreamStreamConnections,
      keepAliveTimeout: UPSTREAM_KEEP_ALIVE_TIMEOUT_MS,
      keepAliveMaxTimeout: UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS,
      headersTimeout: config.upstreamTimeoutMs,
      bodyTimeout: config.upstreamTimeoutMs,
      connect: { timeout: config.connectTimeoutMs, ...tls },
      ...upstreamProtocolOptions(config.upstreamHttp2, origin, function negotiated (h2) {
        admission[index]!.perConnection(h2 ? HTTP2_STREAMS_PER_CONNECTION : 1)
      })
    })))
    this.#health = health
  }

  /** Index of the next upstream to use, skipping ones marked down when possible. */
  pick (exclude?: number): number {
    const n = this.#pools.length
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n
      if (index === exclude || this.#health.isDown(index)) continue
      this.#next = (index + 1) % n
      return index
    }
    // Everything is down (or excluded): try the next one anyway.
    const index = this.#next % n
    this.#next = (index + 1) % n
    return index === exclude && n > 1 ? (index + 1) % n : index
  }

  dispatcher (index: number): Dispatcher {
    return this.#pools[index]!
  }

  /** The page and download lanes of an upstream (issue 12). */
  admission (index: number): UpstreamAdmission {
    return this.#admission[index]!
  }

  origin (index: number): string {
    return this.origins[index]!
  }

  /**
   * Takes an upstream out of rotation until a health probe reaches it again. With a
   * single upstream there is no other to turn to, and its readiness stays with the
   * probes alone.
   */
  markDown (index: number, reason: string): void {
    if (this.#pools.length > 1) this.#health.failed(index, reason)
  }

  get size (): number {
    return this.#pools.length
  }

  async close (): Promise<void> {
    if (!this.#owned) return
    await Promise.all(this.#pools.map(p => p.close()))
  }
}

export { HTTP2_STREAMS_PER_CONNECTION, upstreamPipelining }
