import { LRUCache } from 'lru-cache'
import { CompressedBodies, compressBody } from '../compressedBodies.ts'
import type { BodyCompressionLevels } from '../compressedBodies.ts'
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

/** Full bodies are HTML and other text: brotli's text mode helps. */
const FULL_BODY_LEVELS: BodyCompressionLevels = Object.freeze({ brotliQuality: DEFAULT_FULL_BROTLI_QUALITY, gzipLevel: DEFAULT_FULL_GZIP_LEVEL, brotliText: true })

/**
 * Compresses full bodies for the link to the sender, remembering the result per
 * version: the first sender to fetch a new version pays for the compression, the
 * others (and the delta-versus-full comparison) reuse it. It also remembers how
 * well each resource compressed last, so that a delta far smaller than that needs
 * no compression of the full body to be judged.
 */
export class FullBodyCompressor {
  readonly #bodies: CompressedBodies
  readonly #ratios = new LRUCache<string, number>({ max: RATIO_ENTRIES, maxSize: RATIO_BYTES, sizeCalculation: ratioEntrySize })

  constructor (cacheBytes: number) {
    this.#bodies = new CompressedBodies(cacheBytes, FULL_BODY_LEVELS)
  }

  /** The body in `coding` (`br`, `gzip` or `identity`). */
  compress (id: string, body: Uint8Array, coding: string, resourceKey: string): Uint8Array {
    if (coding !== 'br' && coding !== 'gzip') return body
    return this.#bodies.get(id, coding) ?? this.store(id, coding, compressFullBody(body, coding), body.length, resourceKey)
  }

  /** Compressed size over identity size the last time `resourceKey` was compressed in `coding`. */
  ratio (resourceKey: string, coding: string): number | undefined {
    return this.#ratios.get(`${coding}:${resourceKey}`)
  }

  /** The cached compressed body, if any. */
  cached (id: string, coding: string): Uint8Array | undefined {
    return this.#bodies.get(id, coding)
  }

  /**
   * Caches a compressed body (made here or by an encoder worker) and its ratio, and
   * returns the bytes cached (owned; see {@link CompressedBodies.set}).
   */
  store (id: string, coding: string, packed: Uint8Array, size: number, resourceKey: string): Uint8Array {
    const owned = this.#bodies.set(id, coding, packed)
    if (size > 0) this.#ratios.set(`${coding}:${resourceKey}`, owned.length / size)
    return owned
  }

  clear (): void {
    this.#bodies.clear()
    this.#ratios.clear()
  }
}

function ratioEntrySize (_value: number, key: string): number {
  return key.length + 64
}

/** Compresses a full body in `coding` (`br` or `gzip`; anything else is returned as is). */
export function compressFullBody (body: Uint8Array, coding: string): Uint8Array {
  return compressBody(body, coding, FULL_BODY_LEVELS)
}
