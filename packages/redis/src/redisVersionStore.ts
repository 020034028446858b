import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { ENTRY_OVERHEAD_BYTES, ERR_STORE_UNAVAILABLE, TIMED_OUT, withDeadline } from '@coilgun/core'
import type { PutVersionOptions, VersionStore, VersionStoreStats } from '@coilgun/core'
import type { Cluster, Redis } from 'ioredis'
import { createRedisClient } from './redisClient.ts'
import { RedisHealth } from './redisHealth.ts'
import { latestKey, versionKey } from './redisKeys.ts'
import type { RedisVersionStoreOptions, ResolvedRedisStoreOptions } from './redisStoreOptions.ts'
import { resolveRedisStoreOptions } from './redisStoreOptions.ts'

/** Keys remembered as "written recently" (versions and pointers), so repeated requests do not rewrite them. */
export const RECENT_WRITES_MAX = 16_384
/**
 * Bytes of keys the "written recently" memory may hold: a pointer's key holds a whole
 * URL (up to the 16 KiB of a request line), so the entry count alone bounds nothing
 * (issue 12).
 */
export const RECENT_WRITES_BYTES = 2 * 1024 * 1024
/** Default wait of {@link RedisVersionStore.ready}. */
export const DEFAULT_READY_TIMEOUT_MS = 5000

/** Counters of the store (`size`, `maxSize`, `entries` describe the in-process cache). */
export interface RedisStoreStats extends VersionStoreStats {
  /** Connected, and Redis answers: deltas can use versions other instances wrote. */
  healthy: boolean
  /** Version reads answered by the in-process cache. */
  lruHits: number
  /** Version reads answered by Redis. */
  redisHits: number
  /** Version reads Redis answered with "no such version" (never stored, expired or evicted). */
  misses: number
  /** Commands that failed or timed out. */
  errors: number
  /** Connection errors the client reported (refused, reset, DNS), each reconnect attempt counted (issue 16). */
  connectionErrors: number
  /** Reads and writes not sent because Redis was unavailable (they cost the request nothing). */
  skipped: number
  /** Versions and pointers written to Redis. */
  writes: number
  /** Versions not stored because they are larger than `maxVersionBytes`. */
  oversize: number
  /** Values read from Redis whose SHA-256 differs from their id, treated as misses. */
  corrupt: number
  /** Outage episodes since the store was created. */
  outages: number
}

const COMMAND_FAILED: unique symbol = Symbol('command failed')

/**
 * Bytes the cache may keep: a view into a larger ArrayBuffer (Node's pooled slices,
 * a reply parsed out of a bigger socket chunk) would keep all of it alive while
 * only the view is accounted, so such views are copied.
 */
function ownedBuffer (body: Uint8Array): Buffer {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) {
    return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, 0, body.byteLength)
  }
  return Buffer.from(body)
}

function cachedSize (value: Buffer, key: string): number {
  return value.byteLength + key.length + ENTRY_OVERHEAD_BYTES
}

function recentWriteSize (value: string, key: string): number {
  return key.length + value.length + 64
}

function isReplyError (err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError'
}

/**
 * The version store on Redis (issue 6): origins on several machines share the
 * versions they sent, so a sender's base is known whichever instance answers.
 *
 * Reads cost one round trip (GET), after an in-process LRU of versions; writes are
 * single SETs with a TTL, and a version or pointer already written is not sent
 * again for a while. Every command is bounded by `commandTimeoutMs`; while Redis is
 * down or hung, reads resolve `undefined` at once (the origin answers full) and
 * writes are dropped, nothing ever rejects. Reconnection is automatic.
 */
export class RedisVersionStore implements VersionStore {
  readonly options: ResolvedRedisStoreOptions
  readonly #client: Redis | Cluster
  readonly #ownsClient: boolean
  readonly #health: RedisHealth
  readonly #lru: LRUCache<string, Buffer> | undefined
  /** Keys written (or read) recently: `public` or `private` for versions, the id for pointers. */
  readonly #recentWrites: LRUCache<string, string>
  /** lru-cache per-entry TTL of private versions and of versions read from Redis (issue 11). */
  readonly #shortLivedMs: number
  readonly #reading = new Map<string, Promise<Uint8Array | undefined>>()
  readonly #onReady: () => void
  readonly #onClose: () => void
  readonly #onError: (err: Error) => void
  #closed = false
  #lruHits = 0
  #redisHits = 0
  #misses = 0
  #errors = 0
  #connectionErrors = 0
  #skipped = 0
  #writes = 0
  #oversize = 0
  #corrupt = 0

  constructor (options: RedisVersionStoreOptions) {
    this.options = resolveRedisStoreOptions(options)
    const o = this.options
    this.#lru = o.lruMaxBytes > 0
      ? new LRUCache<string, Buffer>({ maxSize: o.lruMaxBytes, sizeCalculation: cachedSize, ttl: o.ttlSeconds * 1000, updateAgeOnGet: false })
      : undefined
    this.#recentWrites = new LRUCache<string, string>({ max: RECENT_WRITES_MAX, maxSize: RECENT_WRITES_BYTES, sizeCalculation: recentWriteSize, ttl: o.rewriteIntervalMs })
    this.#shortLivedMs = o.privateTtlSeconds * 1000
    this.#ownsClient = o.target.kind !== 'client'
    this.#client = createRedisClient(o)
    this.#health = new RedisHealth(o.logger, this.#client.status === 'ready')

    // Bound once, so close() can remove them from an injected client.
    this.#onReady = this.#redisReady.bind(this)
    this.#onClose = this.#redisClosed.bind(this)
    this.#onError = this.#redisError.bind(this)
    this.#client.on('ready', this.#onReady)
    this.#client.on('close', this.#onClose)
    this.#client.on('error', this.#onError)
  }

  async getVersion (id: string): Promise<Uint8Array | undefined> {
    const cached = this.#lru?.get(id)
    if (cached !== undefined) {
      this.#lruHits++
      return cached
    }
    // Concurrent requests against the same base share one GET.
    const reading = this.#reading.get(id)
    if (reading !== undefined) return reading
    const read = this.#readVersion(id)
    this.#reading.set(id, read)
    try {
      return await read
    } finally {
      this.#reading.delete(id)
    }
  }

  async putVersion (id: string, body: Uint8Array, options?: PutVersionOptions): Promise<void> {
    if (this.#closed) return
    if (body.byteLength > this.options.maxVersionBytes) {
      this.#oversize++
      return
    }
    const isPrivate = options?.private === true
    let owned = this.#lru?.get(id)
    if (owned === undefined) {
      owned = ownedBuffer(body)
      // A fresh options object each time: lru-cache writes into it.
      this.#lru?.set(id, owned, isPrivate ? { ttl: this.#shortLivedMs } : undefined)
    }
    const key = versionKey(this.options.prefix, id)
    // A public write is skipped only after a recent public one: after a private
    // write (or a read) of the same bytes it must extend the short lifetime.
    const recent = this.#recentWrites.get(key)
    if (recent === 'public' || (recent !== undefined && isPrivate) || !this.#admit()) return
    const reply = await this.#settle(this.#client.set(key, owned, 'EX', isPrivate ? this.options.privateTtlSeconds : this.options.ttlSeconds))
    if (reply === COMMAND_FAILED) return
    this.#writes++
    this.#recentWrites.set(key, isPrivate ? 'private' : 'public')
  }

  async getLatest (resourceKey: string): Promise<string | undefined> {
    if (!this.#admit()) return undefined
    const reply = await this.#settle(this.#client.get(latestKey(this.options.prefix, resourceKey)))
    return reply === COMMAND_FAILED || reply === null ? undefined : reply
  }

  async setLatest (resourceKey: string, id: string): Promise<void> {
    const key = latestKey(this.options.prefix, resourceKey)
    if (this.#recentWrites.get(key) === id || !this.#admit()) return
    const reply = await this.#settle(this.#client.set(key, id, 'EX', this.options.ttlSeconds))
    if (reply === COMMAND_FAILED) return
    this.#writes++
    this.#recentWrites.set(key, id)
  }

  /**
   * Resolves true once connected to Redis (at once if already), false after
   * `timeoutMs` or when closed. Optional: the store works, with full answers, before.
   */
  async ready (timeoutMs: number = DEFAULT_READY_TIMEOUT_MS): Promise<boolean> {
    if (this.#closed) return false
    if (this.#client.status === 'ready') return true
    const client = this.#client
    return new Promise<boolean>(resolve => {
      const timer = setTimeout(done, timeoutMs, false)
      function connected (): void {
        done(true)
      }
      function done (ok: boolean): void {
        clearTimeout(timer)
        client.off('ready', connected)
        resolve(ok)
      }
      client.on('ready', connected)
    })
  }

  /** Counters for metrics and tests; `healthy` is the outage flag. */
  stats (): RedisStoreStats {
    return {
      healthy: !this.#closed && this.#health.healthy && this.#client.status === 'ready',
      lruHits: this.#lruHits,
      redisHits: this.#redisHits,
      misses: this.#misses,
      errors: this.#errors,
      connectionErrors: this.#connectionErrors,
      skipped: this.#skipped,
      writes: this.#writes,
      oversize: this.#oversize,
      corrupt: this.#corrupt,
      outages: this.#health.outages,
      size: this.#lru?.calculatedSize ?? 0,
      maxSize: this.options.lruMaxBytes,
      entries: this.#lru?.size ?? 0
    }
  }

  /** Closes the client this store created (an injected one is left open) and empties the cache. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#lru?.clear()
    this.#recentWrites.clear()
    const client = this.#client
    if (this.#ownsClient) {
      try {
        // QUIT lets Redis finish what was sent; a dead Redis must not hold shutdown up.
        await withDeadline(client.quit(), 1000)
      } catch {
        // Not connected: nothing to flush.
      }
      client.disconnect()
    }
    client.off('ready', this.#onReady)
    client.off('close', this.#onClose)
    client.off('error', this.#onError)
  }

  #redisReady (): void {
    if (this.#closed) return
    // A reconnection may reach a restarted, empty Redis: write everything again.
    this.#recentWrites.clear()
    this.#health.connected()
  }

  #redisClosed (): void {
    if (this.#closed) return
    this.#health.lost(new ERR_STORE_UNAVAILABLE('the connection to Redis closed'))
  }

  #redisError (err: Error): void {
    if (this.#closed) return
    this.#connectionErrors++
    this.#health.lost(err)
  }

  async #readVersion (id: string): Promise<Uint8Array | undefined> {
    if (!this.#admit()) return undefined
    const reply = await this.#settle(this.#client.getBuffer(versionKey(this.options.prefix, id)))
    if (reply === COMMAND_FAILED) return undefined
    if (reply === null) {
      this.#misses++
      return undefined
    }
    // Redis is shared: a value that is not the version its key names (another
    // writer, a prefix collision) must not become a base.
    if (createHash('sha256').update(reply).digest('hex') !== id) {
      this.#corrupt++
      return undefined
    }
    this.#redisHits++
    const owned = ownedBuffer(reply)
    // It may be another instance's private version: kept no longer than one.
    this.#lru?.set(id, owned, { ttl: this.#shortLivedMs })
    this.#recentWrites.set(versionKey(this.options.prefix, id), 'private')
    return owned
  }

  /** True when a command may be sent now; counts the ones that may not. */
  #admit (): boolean {
    if (!this.#closed && this.#health.admit(this.#client.status)) return true
    this.#skipped++
    return false
  }

  /** The reply, or COMMAND_FAILED after a timeout or an error (counted, health updated). */
  async #settle<T> (command: Promise<T>): Promise<T | typeof COMMAND_FAILED> {
    try {
      const reply = await withDeadline(command, this.options.commandTimeoutMs)
      if (reply === TIMED_OUT) {
        this.#errors++
        this.#health.failed(new ERR_STORE_UNAVAILABLE(`Redis did not answer within ${this.options.commandTimeoutMs} ms`))
        return COMMAND_FAILED
      }
      this.#health.succeeded()
      return reply
    } catch (err) {
      this.#errors++
      if (isReplyError(err)) this.#health.refused(err)
      else this.#health.failed(err)
      return COMMAND_FAILED
    }
  }
}

/** A {@link RedisVersionStore}: pass it as the `store` option of `@coilgun/fastify` or `@coilgun/express`. */
export function createRedisVersionStore (options: RedisVersionStoreOptions): RedisVersionStore {
  return new RedisVersionStore(options)
}
