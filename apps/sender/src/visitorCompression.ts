import zlib from 'node:zlib'
import { LRUCache } from 'lru-cache'
import { ENTRY_OVERHEAD_BYTES, negotiateEncoding, ownedBytes, parseAcceptEncoding } from '@coilgun/core'

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
    this.#cache = new LRUCache<string, Buffer>({ maxSize: Math.max(1024, maxBytes), sizeCalculation: compressedEntrySize })
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
    // zlib's output of a small page is a slice of a 16 KiB chunk: cache a copy
    // that owns exactly the bytes counted (issue 12).
    const packed = ownedBytes(coding === 'br'
      ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : zlib.gzipSync(body, { level: GZIP_LEVEL }))
    this.#cache.set(key, packed)
    return packed
  }

  clear (): void {
    this.#cache.clear()
  }
}

function compressedEntrySize (value: Buffer, key: string): number {
  return value.byteLength + key.length + ENTRY_OVERHEAD_BYTES
}
