/** Names of the delta codecs Coilgun speaks. */
export type CodecName = 'vcdiff' | 'dcz' | 'dcb'

export const CODEC_NAMES: readonly CodecName[] = Object.freeze(['vcdiff', 'dcz', 'dcb'])

export interface EncodeOptions {
  /** SHA-256 of the base when the caller already has it (saves hashing it again). */
  baseHash?: Uint8Array
}

export interface DecodeOptions {
  /**
   * Largest body the decoder may produce, in bytes. A delta that would rebuild
   * more is refused with COILGUN_ERR_DELTA_TOO_LARGE before the output is allocated
   * where the format announces its size (VCDIFF), or as soon as the limit is
   * crossed while inflating (zstd, brotli).
   */
  maxOutputBytes: number
  /** SHA-256 of the base when the caller already has it (saves hashing it again). */
  baseHash?: Uint8Array
}

/**
 * One delta codec. All byte arguments are `Uint8Array` (a Buffer is one).
 * `encode` and `decode` are synchronous and CPU-bound; a codec whose runtime support
 * is missing reports `available: false` with a reason instead of throwing at load.
 */
export interface Codec {
  readonly name: CodecName
  readonly available: boolean
  /** Why the codec is unavailable; undefined when it is available. */
  readonly unavailableReason: string | undefined
  /** Delta that turns `base` into `target`. Throws COILGUN_ERR_ENCODE_FAILED. */
  encode (base: Uint8Array, target: Uint8Array, options?: EncodeOptions): Uint8Array
  /**
   * Rebuilds the target from `base` and `delta`. Throws COILGUN_ERR_DELTA_CORRUPT,
   * COILGUN_ERR_DELTA_TOO_LARGE or COILGUN_ERR_DICTIONARY_MISMATCH; never returns a
   * partial result that the codec could detect. The caller must still verify the
   * digest: a delta applied to the wrong base can decode "successfully".
   */
  decode (base: Uint8Array, delta: Uint8Array, options: DecodeOptions): Uint8Array
}
