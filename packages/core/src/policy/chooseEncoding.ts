import type { Codec, CodecName } from '../codecs/codec.ts'
import { gzipIfSmaller } from '../codecs/secondaryCompression.ts'
import { isCoilgunError } from '../errors.ts'

/** A delta ready to send, with how it was made. */
export interface EncodedDelta {
  codec: CodecName
  /** `gzip` when the vcdiff delta was gzipped afterwards (`IM: vcdiff, gzip`). */
  secondary: 'gzip' | undefined
  body: Uint8Array
}

/**
 * How logs, metrics and the diagnostic header name a delta's coding: the codec, with
 * `+gzip` when the vcdiff delta was gzipped afterwards (`vcdiff+gzip`).
 */
export function deltaCodecLabel (delta: { readonly codec: CodecName, readonly secondary: 'gzip' | undefined }): string {
  return delta.secondary === 'gzip' ? `${delta.codec}+gzip` : delta.codec
}

export interface ChooseEncodingInput {
  base: Uint8Array
  baseHash: Uint8Array
  target: Uint8Array
  /** Codecs the peer accepts and we can run, in our order of preference. */
  codecs: readonly Codec[]
  /**
   * Size of the full body as it would otherwise be sent (compressed with the
   * coding the peer accepts, or raw). A delta is chosen only when it is smaller.
   */
  fullSize: number
  /** Try `vcdiff, gzip` as well as plain `vcdiff` (RFC 3229 section 10.5.2). */
  secondaryCompression: boolean
}

/**
 * Encodes `target` against `base` with every candidate codec and returns the
 * smallest result, or undefined when none is smaller than `fullSize`: a delta
 * larger than the compressed full body is never sent. An encoder failure drops that
 * candidate only; the caller falls back to the full body.
 */
export function chooseEncoding (input: ChooseEncodingInput): EncodedDelta | undefined {
  let best: EncodedDelta | undefined
  for (const codec of input.codecs) {
    if (!codec.available) continue
    let body: Uint8Array
    try {
      body = codec.encode(input.base, input.target, { baseHash: input.baseHash })
    } catch (err) {
      if (isCoilgunError(err)) continue
      throw err
    }
    let candidate: EncodedDelta = { codec: codec.name, secondary: undefined, body }
    if (codec.name === 'vcdiff' && input.secondaryCompression) {
      const packed = gzipIfSmaller(body)
      if (packed !== undefined) candidate = { codec: 'vcdiff', secondary: 'gzip', body: packed }
    }
    if (best === undefined || candidate.body.length < best.body.length) best = candidate
  }
  if (best === undefined || best.body.length >= input.fullSize) return undefined
  return best
}
