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
  readonly #cache: LRUCache<string, Buffer> | undefined

  constructor (cacheBytes: number) {
    this.#cache = cacheBytes > 0
      ? new LRUCache<string, Buffer>({ maxSize: cacheBytes, sizeCalculation: compressedSize })
      : undefined
  }

  /** The body in `coding` (`br`, `gzip` or `identity`). */
  compress (id: string, body: Uint8Array, coding: string): Uint8Array {
    if (coding !== 'br' && coding !== 'gzip') return body
    const key = `${coding}:${id}`
    const hit = this.#cache?.get(key)
    if (hit !== undefined) return hit
    const packed = coding === 'br'
      ? zlib.brotliCompressSync(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: DEFAULT_FULL_BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT
        }
      })
      : zlib.gzipSync(body, { level: DEFAULT_FULL_GZIP_LEVEL })
    this.#cache?.set(key, packed)
    return packed
  }

  clear (): void {
    this.#cache?.clear()
  }
}

function compressedSize (value: Buffer, key: string): number {
  return value.length + key.length + 64
}
