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
  #routes = new Map<string, OriginRoute>()
  #pools = new Map<string, Pool>()
  readonly #config: ListenerConfig
  /** Given by the embedding code (tests, a custom transport): used for every origin, never closed here. */
  readonly #injected: Dispatcher | undefined

  constructor (config: ListenerConfig, dispatcher?: Dispatcher) {
    this.#config = config
    this.#injected = dispatcher
    this.#build(config.origins)
  }

  #build (origins: ReadonlyMap<string, string>): Pool[] {
    const routes = new Map<string, OriginRoute>()
    const pools = new Map<string, Pool>()
    for (const [host, url] of origins) {
      if (this.#injected !== undefined) {
        routes.set(host, { url, dispatcher: this.#injected })
        continue
      }
      let pool = pools.get(url) ?? this.#pools.get(url)
      if (pool === undefined) {
        pool = new Pool(url, {
          connections: this.#config.originConnections,
          keepAliveTimeout: 30_000,
          headersTimeout: this.#config.originTimeoutMs,
          bodyTimeout: this.#config.originTimeoutMs,
          connect: { timeout: this.#config.connectTimeoutMs }
        })
      }
      pools.set(url, pool)
      routes.set(host, { url, dispatcher: pool })
    }
    const removed = [...this.#pools].filter(([url]) => !pools.has(url)).map(([, pool]) => pool)
    this.#routes = routes
    this.#pools = pools
    return removed
  }

  /**
   * Routes by a new host map from now on (SIGHUP reload, issue 16). Pools of origins
   * still in the map are kept (their keep-alive connections too); pools of origins
   * that left it are closed once their in-flight requests are done, so no request
   * fails because of a reload.
   */
  replace (origins: ReadonlyMap<string, string>): void {
    const removed = this.#build(origins)
    for (const pool of removed) {
      pool.close().catch(function ignoreClosed () {})
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
    await Promise.all([...this.#pools.values()].map(p => p.close()))
  }
}
