import { LRUCache } from 'lru-cache'
import { integerOption } from '../integerOption.ts'
import { ownedBytes } from '../ownedBytes.ts'
import type { PutVersionOptions, VersionStore, VersionStoreStats } from './versionStore.ts'

/** 64 MiB of versions by default. */
export const DEFAULT_STORE_MAX_BYTES = 64 * 1024 * 1024
/** Versions live one day by default: a base older than that is rarely asked for. */
export const DEFAULT_STORE_TTL_MS = 24 * 60 * 60 * 1000
/**
 * Private versions (one visitor's page, issue 11) live ten minutes by default: long
 * enough for that visitor's next click, short enough not to keep their pages around.
 */
export const DEFAULT_PRIVATE_TTL_MS = 10 * 60 * 1000
/**
 * Bytes charged per entry on top of its key and value, for the LRU node, the Map
 * slot and the Buffer header, so that many tiny entries cannot exceed the bound.
 */
export const ENTRY_OVERHEAD_BYTES = 160

export interface MemoryStoreOptions {
  /**
   * Capacity in bytes: bodies, keys and {@link ENTRY_OVERHEAD_BYTES} per entry. When
   * full, the least recently used versions and pointers are evicted. A single body
   * larger than the capacity is not stored at all.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number
  /**
   * Time to live of each entry in milliseconds; 0 keeps entries until evicted by size.
   * @default 86400000 (one day)
   */
  ttlMs?: number
  /**
   * Time to live of private versions (`putVersion(id, body, { private: true })`) in
   * milliseconds; never longer than `ttlMs` when that is set.
   * @default 600000 (ten minutes)
   */
  privateTtlMs?: number
}

const VERSION_PREFIX = 'v:'
const LATEST_PREFIX = 'k:'

/**
 * The embedded, in-process version store: one byte-bounded `lru-cache` holding both
 * version bodies and latest-version pointers, so the bound covers everything.
 */
export class MemoryVersionStore implements VersionStore {
  readonly #cache: LRUCache<string, Uint8Array | string>
  readonly #maxBytes: number
  readonly #privateTtlMs: number

  constructor (options: MemoryStoreOptions = {}) {
    this.#maxBytes = integerOption('maxBytes', options.maxBytes ?? DEFAULT_STORE_MAX_BYTES, 1024)
    const ttl = integerOption('ttlMs', options.ttlMs ?? DEFAULT_STORE_TTL_MS, 0)
    const privateTtl = integerOption('privateTtlMs', options.privateTtlMs ?? DEFAULT_PRIVATE_TTL_MS, 1)
    this.#privateTtlMs = ttl > 0 ? Math.min(ttl, privateTtl) : privateTtl
    this.#cache = new LRUCache<string, Uint8Array | string>({
      maxSize: this.#maxBytes,
      sizeCalculation: entrySize,
      ...(ttl > 0 ? { ttl, ttlAutopurge: false, updateAgeOnGet: false } : {})
    })
  }

  async getVersion (id: string): Promise<Uint8Array | undefined> {
    const value = this.#cache.get(VERSION_PREFIX + id)
    return typeof value === 'string' ? undefined : value
  }

  async putVersion (id: string, body: Uint8Array, options?: PutVersionOptions): Promise<void> {
    // A view into a larger ArrayBuffer (Node's pooled slices, a concatenated
    // response) would keep the whole buffer alive while we account only the view.
    const owned = ownedBytes(body)
    // A private version gets its own short TTL (lru-cache keeps a TTL per entry); the
    // same bytes stored as public later get the normal one again. (A fresh options
    // object each time: lru-cache writes into it.)
    this.#cache.set(VERSION_PREFIX + id, owned, options?.private === true ? { ttl: this.#privateTtlMs } : undefined)
  }

  async getLatest (resourceKey: string): Promise<string | undefined> {
    const value = this.#cache.get(LATEST_PREFIX + resourceKey)
    return typeof value === 'string' ? value : undefined
  }

  async setLatest (resourceKey: string, id: string): Promise<void> {
    this.#cache.set(LATEST_PREFIX + resourceKey, id)
  }

  /** Accounted bytes and entries; `size` never exceeds `maxSize`. */
  stats (): VersionStoreStats {
    return { size: this.#cache.calculatedSize, maxSize: this.#maxBytes, entries: this.#cache.size }
  }

  async close (): Promise<void> {
    this.#cache.clear()
  }
}

function entrySize (value: Uint8Array | string, key: string): number {
  const valueBytes = typeof value === 'string' ? value.length : value.byteLength
  return valueBytes + key.length + ENTRY_OVERHEAD_BYTES
}
