import zlib from 'node:zlib'
import { LRUCache } from 'lru-cache'
import { negotiateEncoding, parseAcceptEncoding } from '@coilgun/core'

/** Pages smaller than this go uncompressed: the coding overhead is not worth it. */
export const MIN_COMPRESS_BYTES = 1024
const CODINGS = ['br', 'gzip'] as const
/** brotli 4 / gzip 6: a few ms per MB, and cached per version for all visitors. */
const BROTLI_QUALITY = 4
const GZIP_LEVEL = 6

/**
 * Compresses rebuilt pages for visitors per their Accept-Encoding. A version is
 * compressed once per coding and shared by every visitor who gets it.
 */
export class VisitorCompression {
  readonly #cache: LRUCache<string, Buffer>

  constructor (maxBytes: number) {
    this.#cache = new LRUCache<string, Buffer>({ maxSize: Math.max(1024, maxBytes), sizeCalculation: (v, k) => v.length + k.length + 64 })
  }

  /** The coding to use for this visitor, or undefined for identity. */
  choose (acceptEncoding: string | string[] | undefined, size: number): 'br' | 'gzip' | undefined {
    if (size < MIN_COMPRESS_BYTES || acceptEncoding === undefined) return undefined
    return negotiateEncoding(parseAcceptEncoding(acceptEncoding), CODINGS) as 'br' | 'gzip' | undefined
  }

  compress (versionId: string, body: Uint8Array, coding: 'br' | 'gzip'): Buffer {
    const key = `${coding}:${versionId}`
    const hit = this.#cache.get(key)
    if (hit !== undefined) return hit
    const packed = coding === 'br'
      ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : zlib.gzipSync(body, { level: GZIP_LEVEL })
    this.#cache.set(key, packed)
    return packed
  }

  clear (): void {
    this.#cache.clear()
  }
}
