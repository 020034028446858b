import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import type { SenderConfig } from './config.ts'

/**
 * The keep-alive connection pools to the origin(s), built once at start (and
 * injectable for tests). Requests rotate over the upstreams; one that failed to
 * connect is skipped for a short while so idempotent requests can be retried on
 * another.
 */
export class UpstreamPools {
  readonly origins: readonly string[]
  readonly #pools: Dispatcher[]
  readonly #downUntil: number[]
  readonly #owned: boolean
  #next = 0

  constructor (config: SenderConfig, dispatcher?: Dispatcher) {
    this.origins = config.upstreams
    this.#owned = dispatcher === undefined
    const tls = {
      ...(config.upstreamCa === undefined ? {} : { ca: config.upstreamCa }),
      ...(config.upstreamCert === undefined ? {} : { cert: config.upstreamCert, key: config.upstreamKey })
    }
    this.#pools = config.upstreams.map(origin => dispatcher ?? new Pool(origin, {
      connections: config.upstreamConnections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: config.upstreamTimeoutMs,
      bodyTimeout: config.upstreamTimeoutMs,
      connect: { timeout: config.connectTimeoutMs, ...tls },
      allowH2: config.upstreamHttp2
    }))
    this.#downUntil = config.upstreams.map(() => 0)
  }

  /** Index of the next upstream to use, skipping ones marked down when possible. */
  pick (exclude?: number): number {
    const n = this.#pools.length
    const now = Date.now()
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n
      if (index === exclude || this.#downUntil[index]! > now) continue
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

  origin (index: number): string {
    return this.origins[index]!
  }

  /** Takes an upstream out of rotation for `ms` after a connection failure. */
  markDown (index: number, ms: number): void {
    this.#downUntil[index] = Date.now() + ms
  }

  get size (): number {
    return this.#pools.length
  }

  /** An undici Agent-compatible dispatcher for @fastify/http-proxy (first upstream). */
  proxyDispatcher (): Dispatcher {
    return this.#pools[0]!
  }

  async close (): Promise<void> {
    if (!this.#owned) return
    await Promise.all(this.#pools.map(p => p.close()))
  }
}

/** How an upstream failure is reported to the visitor. */
export function classifyUpstreamError (err: unknown): { status: 502 | 504, kind: string } {
  const code = (err as { code?: string }).code ?? ''
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT' || code === 'COILGUN_ERR_UPSTREAM_TIMEOUT') return { status: 504, kind: 'timeout' }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { status: 502, kind: 'connect-timeout' }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') return { status: 502, kind: 'unreachable' }
  return { status: 502, kind: 'bad-answer' }
}

/** True when the request never reached the upstream, so any method may be retried. */
export function isConnectFailure (err: unknown): boolean {
  const code = (err as { code?: string }).code ?? ''
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH'
}

