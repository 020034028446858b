import zlib from 'node:zlib'
import { LRUCache } from 'lru-cache'
import { DEFAULT_FULL_BROTLI_QUALITY, DEFAULT_FULL_GZIP_LEVEL } from './originOptions.ts'

/** Content codings a full body may travel in to a sender, in order of preference. */
export const FULL_CODINGS: readonly string[] = Object.freeze(['br', 'gzip'])

/**
 * Compresses full bodies for the link to the sender, remembering the result per
 * version: the first sender to fetch a new version pays for the compression, the
 * others (and the delta-versus-full comparison) reuse it.
 */
export class FullBodyCompressor {
  readonly #cache: LRUCache<string, Uint8Array> | undefined

  constructor (cacheBytes: number) {
    this.#cache = cacheBytes > 0
      ? new LRUCache<string, Uint8Array>({ maxSize: cacheBytes, sizeCalculation: compressedSize })
      : undefined
  }

  /** The body in `coding` (`br`, `gzip` or `identity`). */
  compress (id: string, body: Uint8Array, coding: string): Uint8Array {
    if (coding !== 'br' && coding !== 'gzip') return body
    const key = `${coding}:${id}`
    const hit = this.#cache?.get(key)
    if (hit !== undefined) return hit
    const packed = compressFullBody(body, coding)
    this.#cache?.set(key, packed)
    return packed
  }

  /** The cached compressed body, if any. */
  cached (id: string, coding: string): Uint8Array | undefined {
    return this.#cache?.get(`${coding}:${id}`)
  }

  /** Caches a body compressed elsewhere (an encoder worker). */
  store (id: string, coding: string, packed: Uint8Array): void {
    this.#cache?.set(`${coding}:${id}`, packed)
  }

  clear (): void {
    this.#cache?.clear()
  }
}

function compressedSize (value: Uint8Array, key: string): number {
  return value.length + key.length + 64
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
