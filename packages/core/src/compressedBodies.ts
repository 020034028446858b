import zlib from 'node:zlib'
import { LRUCache } from 'lru-cache'
import { ownedBytes } from './ownedBytes.ts'
import { ENTRY_OVERHEAD_BYTES } from './store/memoryStore.ts'

/** How a {@link CompressedBodies} cache compresses: the levels and the brotli mode hint. */
export interface BodyCompressionLevels {
  readonly brotliQuality: number
  readonly gzipLevel: number
  /** Tell brotli the input is UTF-8 text (`BROTLI_MODE_TEXT`). */
  readonly brotliText: boolean
}

/**
 * Bodies compressed once per version and coding and shared by everyone who gets
 * that version, in a byte-bounded `lru-cache` (issue 14: the one cache behind the
 * origin's full bodies for senders and the sender's pages for visitors). A key is
 * `coding:versionId`, so a version's bytes never change under it.
 */
export class CompressedBodies {
  readonly #cache: LRUCache<string, Uint8Array> | undefined
  readonly #levels: BodyCompressionLevels

  /** `maxBytes` 0 caches nothing: every call compresses. */
  constructor (maxBytes: number, levels: BodyCompressionLevels) {
    this.#cache = maxBytes > 0
      ? new LRUCache<string, Uint8Array>({ maxSize: maxBytes, sizeCalculation: compressedEntrySize })
      : undefined
    this.#levels = levels
  }

  /** The version's body in `coding`, compressed now unless cached. */
  compress (id: string, body: Uint8Array, coding: 'br' | 'gzip'): Uint8Array {
    return this.get(id, coding) ?? this.set(id, coding, compressBody(body, coding, this.#levels))
  }

  /** The cached compressed body, if any. */
  get (id: string, coding: string): Uint8Array | undefined {
    return this.#cache?.get(`${coding}:${id}`)
  }

  /**
   * Caches a compressed body (made here or elsewhere, e.g. by an encoder worker)
   * and returns the bytes cached: zlib's output of a small page is a slice of a
   * 16 KiB chunk, copied so the entry holds only what it is counted for (issue 12).
   */
  set (id: string, coding: string, packed: Uint8Array): Uint8Array {
    const owned = ownedBytes(packed)
    this.#cache?.set(`${coding}:${id}`, owned)
    return owned
  }

  clear (): void {
    this.#cache?.clear()
  }
}

function compressedEntrySize (value: Uint8Array, key: string): number {
  return value.byteLength + key.length + ENTRY_OVERHEAD_BYTES
}

/** `body` in `coding` (`br` or `gzip`; anything else is returned as is). */
export function compressBody (body: Uint8Array, coding: string, levels: BodyCompressionLevels): Uint8Array {
  if (coding === 'br') {
    const params: Record<number, number> = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: levels.brotliQuality,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length
    }
    if (levels.brotliText) params[zlib.constants.BROTLI_PARAM_MODE] = zlib.constants.BROTLI_MODE_TEXT
    return zlib.brotliCompressSync(body, { params })
  }
  if (coding === 'gzip') return zlib.gzipSync(body, { level: levels.gzipLevel })
  return body
}
