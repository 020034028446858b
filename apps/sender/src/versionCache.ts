import { LRUCache } from 'lru-cache'
import { ownedBytes } from '@coilgun/core'
import type { CodecName, HeldVersion } from '@coilgun/core'

/** Per-entry bookkeeping charged on top of body and key. */
const ENTRY_OVERHEAD = 200

/**
 * Marks a resource whose answers are private (issue 11). Kept in the same LRU as the
 * versions, so the marks count against the same byte bound.
 */
const PRIVATE_MARK = Symbol('private resource')

/** A held version and the codec of the delta that last brought it (deltaOffers.ts). */
export interface CachedVersion extends HeldVersion {
  readonly deltaCodec?: CodecName | undefined
}
type Entry = CachedVersion | typeof PRIVATE_MARK

/**
 * Prefix of the marks' keys. A resource key is `host SP target` and a visitor's key
 * `host SP target NUL fingerprint`; neither starts with NUL, so a mark never shares
 * a key with a version.
 */
const MARK_PREFIX = '\u0000private\u0000'

function entrySize (value: Entry, key: string): number {
  return (value === PRIVATE_MARK ? 0 : value.body.byteLength) + key.length + ENTRY_OVERHEAD
}

/**
 * The last verified version of every resource, bounded in bytes: the least recently
 * used entries are evicted first. Public resources have one entry under their
 * resource key; a private one has one per visitor (`visitorBases.ts`) and a mark.
 */
export class VersionCache {
  readonly #lru: LRUCache<string, Entry>

  constructor (maxBytes: number) {
    this.#lru = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: entrySize
    })
  }

  get (key: string): CachedVersion | undefined {
    const value = this.#lru.get(key)
    return value === PRIVATE_MARK ? undefined : value
  }

  /**
   * Holds `version`: a page rebuilt by a one-shot zlib call is a slice of a 16 KiB
   * chunk, a small concatenated answer a slice of Node's 8 KiB pool, so the body and
   * hash are copied when they are views, and the entry owns exactly the bytes it is
   * counted for (issue 12).
   */
  set (key: string, version: CachedVersion): void {
    this.#lru.set(key, { body: ownedBytes(version.body), hash: ownedBytes(version.hash), deltaCodec: version.deltaCodec })
  }

  delete (key: string): void {
    this.#lru.delete(key)
  }

  /** Remembers that `resourceKey` answered privately (refreshes the mark's recency). */
  markPrivate (resourceKey: string): void {
    this.#lru.set(MARK_PREFIX + resourceKey, PRIVATE_MARK)
  }

  /** True when `resourceKey` answered privately and the mark was not evicted since. */
  isMarkedPrivate (resourceKey: string): boolean {
    return this.#lru.has(MARK_PREFIX + resourceKey)
  }

  get bytes (): number {
    return this.#lru.calculatedSize
  }

  get entries (): number {
    return this.#lru.size
  }

  clear (): void {
    this.#lru.clear()
  }
}
