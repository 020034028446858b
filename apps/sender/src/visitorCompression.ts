import { CompressedBodies, negotiateEncoding, parseAcceptEncoding } from '@coilgun/core'
import type { BodyCompressionLevels } from '@coilgun/core'

/** Pages smaller than this go uncompressed: the coding overhead is not worth it. */
export const MIN_COMPRESS_BYTES = 1024
const CODINGS = ['br', 'gzip'] as const
/** brotli 4 / gzip 6: a few ms per MB, and cached per version for all visitors. */
const VISITOR_LEVELS: BodyCompressionLevels = Object.freeze({ brotliQuality: 4, gzipLevel: 6, brotliText: false })

/**
 * Compresses rebuilt pages for visitors per their Accept-Encoding. A version is
 * compressed once per coding and shared by every visitor who gets it (core's
 * {@link CompressedBodies}, the cache the origin uses for full bodies too).
 */
export class VisitorCompression {
  readonly #bodies: CompressedBodies

  constructor (maxBytes: number) {
    this.#bodies = new CompressedBodies(Math.max(1024, maxBytes), VISITOR_LEVELS)
  }

  /** The coding to use for this visitor, or undefined for identity. */
  choose (acceptEncoding: string | string[] | undefined, size: number): 'br' | 'gzip' | undefined {
    if (size < MIN_COMPRESS_BYTES || acceptEncoding === undefined) return undefined
    return negotiateEncoding(parseAcceptEncoding(acceptEncoding), CODINGS) as 'br' | 'gzip' | undefined
  }

  compress (versionId: string, body: Uint8Array, coding: 'br' | 'gzip'): Uint8Array {
    return this.#bodies.compress(versionId, body, coding)
  }

  clear (): void {
    this.#bodies.clear()
  }
}
