import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import type { ListenerConfig } from './config.ts'
import { hostCandidates } from './hostMap.ts'

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

  /** The origin for a Host header value (case-insensitive, most specific entry first: hostMap.ts), or undefined. */
  route (hostHeader: string | undefined): OriginRoute | undefined {
    for (const key of hostCandidates(hostHeader)) {
      const route = this.#routes.get(key)
      if (route !== undefined) return route
    }
    return undefined
  }

  async close (): Promise<void> {
    await Promise.all(this.#pools.map(p => p.close()))
  }
}
