import zlib from 'node:zlib'
import { LRUCache } from 'lru-cache'
import { ownedBytes } from '../ownedBytes.ts'
import { ENTRY_OVERHEAD_BYTES } from '../store/memoryStore.ts'
import { DEFAULT_FULL_BROTLI_QUALITY, DEFAULT_FULL_GZIP_LEVEL } from './originOptions.ts'

/** Content codings a full body may travel in to a sender, in order of preference. */
export const FULL_CODINGS: readonly string[] = Object.freeze(['br', 'gzip'])

/** Resources whose last compression ratio is remembered (a number each). */
const RATIO_ENTRIES = 50_000
/**
 * Bytes of keys the ratio memory may hold: a resource key is a whole URL, up to the
 * 16 KiB of a request line, so an entry count alone bounds nothing (issue 12).
 */
const RATIO_BYTES = 2 * 1024 * 1024

/**
 * Compresses full bodies for the link to the sender, remembering the result per
 * version: the first sender to fetch a new version pays for the compression, the
 * others (and the delta-versus-full comparison) reuse it. It also remembers how
 * well each resource compressed last, so that a delta far smaller than that needs
 * no compression of the full body to be judged.
 */
export class FullBodyCompressor {
  readonly #cache: LRUCache<string, Uint8Array> | undefined
  readonly #ratios = new LRUCache<string, number>({ max: RATIO_ENTRIES, maxSize: RATIO_BYTES, sizeCalculation: ratioEntrySize })

  constructor (cacheBytes: number) {
    this.#cache = cacheBytes > 0
      ? new LRUCache<string, Uint8Array>({ maxSize: cacheBytes, sizeCalculation: compressedSize })
      : undefined
  }

  /** The body in `coding` (`br`, `gzip` or `identity`). */
  compress (id: string, body: Uint8Array, coding: string, resourceKey: string): Uint8Array {
    if (coding !== 'br' && coding !== 'gzip') return body
    const key = `${coding}:${id}`
    const hit = this.#cache?.get(key)
    if (hit !== undefined) return hit
    return this.store(id, coding, compressFullBody(body, coding), body.length, resourceKey)
  }

  /** Compressed size over identity size the last time `resourceKey` was compressed in `coding`. */
  ratio (resourceKey: string, coding: string): number | undefined {
    return this.#ratios.get(`${coding}:${resourceKey}`)
  }

  /** The cached compressed body, if any. */
  cached (id: string, coding: string): Uint8Array | undefined {
    return this.#cache?.get(`${coding}:${id}`)
  }

  /**
   * Caches a compressed body (made here or by an encoder worker) and its ratio, and
   * returns the bytes cached: zlib's output of a small page is a slice of a 16 KiB
   * chunk, copied so the entry holds only what it is counted for (issue 12).
   */
  store (id: string, coding: string, packed: Uint8Array, size: number, resourceKey: string): Uint8Array {
    const owned = ownedBytes(packed)
    this.#cache?.set(`${coding}:${id}`, owned)
    if (size > 0) this.#ratios.set(`${coding}:${resourceKey}`, owned.length / size)
    return owned
  }

  clear (): void {
    this.#cache?.clear()
    this.#ratios.clear()
  }
}

function compressedSize (value: Uint8Array, key: string): number {
  return value.byteLength + key.length + ENTRY_OVERHEAD_BYTES
}

function ratioEntrySize (_value: number, key: string): number {
  return key.length + 64
}

/** Compresses a full body in `coding` (`br` or `gzip`; anything else is returned as is). */
export function compressFullBody (body: Uint8Array, coding: string): Uint8Array {
  if (coding === 'br') {
    return zlib.brotliCompressSync(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: DEFAULT_FULL_BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT
      }
    })
  }
  if (coding === 'gzip') return zlib.gzipSync(body, { level: DEFAULT_FULL_GZIP_LEVEL })
  return body
}
