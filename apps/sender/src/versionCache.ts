import { LRUCache } from 'lru-cache'
import { ownedBytes } from '@coilgun/core'
import type { HeldVersion } from '@coilgun/core'

/** Per-entry bookkeeping charged on top of body and key. */
const ENTRY_OVERHEAD = 200

/**
 * The last verified version of every resource, keyed by host + path + query and
 * bounded in bytes: the least recently used pages are evicted first.
 */
export class VersionCache {
  readonly #lru: LRUCache<string, HeldVersion>

  constructor (maxBytes: number) {
    this.#lru = new LRUCache<string, HeldVersion>({
      maxSize: maxBytes,
      sizeCalculation: function versionSize (value: HeldVersion, key: string) { return value.body.byteLength + key.length + ENTRY_OVERHEAD }
    })
  }

  get (key: string): HeldVersion | undefined {
    return this.#lru.get(key)
  }

  /**
   * Holds `version`: a page rebuilt by a one-shot zlib call is a slice of a 16 KiB
   * chunk, a small concatenated answer a slice of Node's 8 KiB pool, so the body and
   * hash are copied when they are views, and the entry owns exactly the bytes it is
   * counted for (issue 12).
   */
  set (key: string, version: HeldVersion): void {
    this.#lru.set(key, { body: ownedBytes(version.body), hash: ownedBytes(version.hash) })
  }

  delete (key: string): void {
    this.#lru.delete(key)
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
