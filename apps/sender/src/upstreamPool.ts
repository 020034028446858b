import { Pool } from 'undici'
import { connectProbe } from '@coilgun/service'
import type { Dispatcher } from 'undici'
import type { SenderConfig } from './config.ts'
import { UpstreamAdmission } from './admission.ts'
import { UpstreamTlsMaterial } from './upstreamTlsReload.ts'
import { HTTP2_STREAMS_PER_CONNECTION, UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS, UPSTREAM_KEEP_ALIVE_TIMEOUT_MS, upstreamPipelining, upstreamProtocolOptions } from './upstreamProtocol.ts'

/** How often upstreams taken out of rotation are probed. */
export const HEALTH_CHECK_INTERVAL_MS = 1_000

/**
 * The keep-alive connection pools to the origin(s), built once at start (and
 * injectable for tests). Requests rotate over the upstreams; one that failed is
 * taken out of rotation and probed (a TCP or TLS connect) until it answers again,
 * then brought back.
 */
export class UpstreamPools {
  readonly origins: readonly string[]
  readonly #pools: Dispatcher[]
  readonly #admission: UpstreamAdmission[]
  readonly #down: boolean[]
  readonly #owned: boolean
  readonly #connectTimeoutMs: number
  /** Read at each probe and pool build: SIGHUP may replace it (upstreamTlsReload.ts, issue 16). */
  readonly #tls: UpstreamTlsMaterial
  #next = 0
  #timer: NodeJS.Timeout | undefined

  constructor (config: SenderConfig, dispatcher?: Dispatcher, tlsMaterial = new UpstreamTlsMaterial(config)) {
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
    this.#down = config.upstreams.map(() => false)
    this.#connectTimeoutMs = config.connectTimeoutMs
    this.#tls = tlsMaterial
  }

  /** Index of the next upstream to use, skipping ones marked down when possible. */
  pick (exclude?: number): number {
    const n = this.#pools.length
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n
      if (index === exclude || this.#down[index] === true) continue
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

  /** Takes an upstream out of rotation until a health check reaches it again. */
  markDown (index: number): void {
    if (this.#pools.length < 2 || this.#down[index] === true) return
    this.#down[index] = true
    this.#timer ??= setInterval(() => { this.#probeDown() }, HEALTH_CHECK_INTERVAL_MS).unref()
  }

  /** True when the upstream is in rotation. */
  healthy (index: number): boolean {
    return this.#down[index] !== true
  }

  #probeDown (): void {
    let anyDown = false
    for (let index = 0; index < this.#down.length; index++) {
      if (this.#down[index] !== true) continue
      anyDown = true
      const url = new URL(this.origins[index]!)
      // The health probes' connector: an IPv6 literal loses its brackets (here it did
      // not, so an upstream such as http://[::1]:8080 once down never came back).
      const socket = connectProbe(url, this.#tls.options())
      socket.setTimeout(this.#connectTimeoutMs)
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => { this.#down[index] = false; socket.destroy() })
      socket.once('timeout', () => socket.destroy())
      socket.once('error', () => socket.destroy())
    }
    if (!anyDown && this.#timer !== undefined) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  get size (): number {
    return this.#pools.length
  }

  async close (): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    if (!this.#owned) return
    await Promise.all(this.#pools.map(p => p.close()))
  }
}

export { HTTP2_STREAMS_PER_CONNECTION, upstreamPipelining }
