import type { Codec, CodecName } from './codecs/codec.ts'
import { gunzipBounded } from './codecs/secondaryCompression.ts'
import { sha256 } from './digest.ts'
import { ERR_UNSUPPORTED_ENCODING, ERR_VERIFY_FAILED } from './errors.ts'

export interface DecodeDeltaInput {
  codec: Codec
  /** `gzip` when the delta arrived as `IM: vcdiff, gzip`. */
  secondary: 'gzip' | undefined
  base: Uint8Array
  /** SHA-256 of the base, when known. */
  baseHash?: Uint8Array
  delta: Uint8Array
  /** SHA-256 the origin announced for the full new body (Repr-Digest). Required. */
  expectedHash: Uint8Array
  /** Length the origin announced, when it did. */
  expectedLength?: number
  maxOutputBytes: number
}

/** The rebuilt body and its SHA-256 (the id of the new version). */
export interface DecodedDelta {
  body: Uint8Array
  hash: Buffer
}

/**
 * Rebuilds a body from a delta and verifies it: length (when announced) and
 * SHA-256 against the digest the origin sent (RFC 9530). A result that fails is
 * never returned: callers can serve whatever this returns.
 */
export function decodeDelta (input: DecodeDeltaInput): DecodedDelta {
  let delta = input.delta
  if (input.secondary === 'gzip') {
    if (input.codec.name !== 'vcdiff') throw new ERR_UNSUPPORTED_ENCODING(`${input.codec.name}, gzip`)
    // A delta may be somewhat larger than its output (a rewrite); allow headroom
    // while still bounding what a gzip bomb could allocate.
    delta = gunzipBounded(input.codec.name, delta, input.maxOutputBytes + (input.maxOutputBytes >> 3) + 4096)
  }
  const options = input.baseHash === undefined
    ? { maxOutputBytes: input.maxOutputBytes }
    : { maxOutputBytes: input.maxOutputBytes, baseHash: input.baseHash }
  const body = input.codec.decode(input.base, delta, options)
  if (input.expectedLength !== undefined && body.length !== input.expectedLength) {
    throw new ERR_VERIFY_FAILED(`length ${body.length} differs from the announced ${input.expectedLength}`)
  }
  const hash = sha256(body)
  if (!hash.equals(input.expectedHash)) throw new ERR_VERIFY_FAILED('SHA-256 of the rebuilt body differs from Repr-Digest')
  return { body, hash }
}

/** Maps the wire names (IM list or Content-Encoding) to a codec name and secondary compression. */
export function deltaFormFromWire (im: readonly string[] | undefined, contentEncoding: string | undefined): { codec: CodecName, secondary: 'gzip' | undefined } | undefined {
  if (im !== undefined && im.length > 0) {
    if (im.length === 1 && im[0] === 'vcdiff') return { codec: 'vcdiff', secondary: undefined }
    if (im.length === 2 && im[0] === 'vcdiff' && im[1] === 'gzip') return { codec: 'vcdiff', secondary: 'gzip' }
    return undefined
  }
  if (contentEncoding === 'dcz' || contentEncoding === 'dcb') return { codec: contentEncoding, secondary: undefined }
  return undefined
}
