import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import type { ListenerConfig } from './config.ts'
import { DEFAULT_HOST } from './config.ts'

export interface OriginRoute {
  readonly url: string
  readonly dispatcher: Dispatcher
}

/**
 * One keep-alive pool per origin of the host map, built once at start. A request
 * goes to the origin of its Host, or to `default`; nothing else is ever contacted
 * (the Host header or an absolute-form URL cannot name another upstream).
 */
export class OriginPools {
  readonly #routes = new Map<string, OriginRoute>()
  readonly #pools: Pool[] = []

  constructor (config: ListenerConfig) {
    const byUrl = new Map<string, Pool>()
    for (const [host, url] of config.origins) {
      let pool = byUrl.get(url)
      if (pool === undefined) {
        pool = new Pool(url, {
          connections: config.originConnections,
          keepAliveTimeout: 30_000,
          headersTimeout: config.originTimeoutMs,
          bodyTimeout: config.originTimeoutMs,
          connect: { timeout: config.connectTimeoutMs }
        })
        byUrl.set(url, pool)
        this.#pools.push(pool)
      }
      this.#routes.set(host, { url, dispatcher: pool })
    }
  }

  /** The origin for a Host header value (port ignored, case-insensitive), or undefined. */
  route (hostHeader: string | undefined): OriginRoute | undefined {
    if (hostHeader !== undefined) {
      let host = hostHeader.trim().toLowerCase()
      const bracket = host.startsWith('[') ? host.indexOf(']') : -1
      const colon = host.lastIndexOf(':')
      if (bracket !== -1) host = host.slice(0, bracket + 1)
      else if (colon !== -1) host = host.slice(0, colon)
      if (host.endsWith('.')) host = host.slice(0, -1)
      const exact = this.#routes.get(host)
      if (exact !== undefined) return exact
    }
    return this.#routes.get(DEFAULT_HOST)
  }

  async close (): Promise<void> {
    await Promise.all(this.#pools.map(p => p.close()))
  }
}
