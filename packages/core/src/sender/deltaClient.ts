import zlib from 'node:zlib'
import type { Codec, CodecName } from '../codecs/codec.ts'
import { decodeDelta, deltaFormFromWire } from '../decodeDelta.ts'
import { formatAvailableDictionary, formatStrongETag, sha256 } from '../digest.ts'
import { ERR_DELTA_CORRUPT, ERR_DELTA_TOO_LARGE, ERR_UNSUPPORTED_ENCODING, ERR_VERIFY_FAILED } from '../errors.ts'
import { parseCoilgunETag } from '../digest.ts'
import { parseDeltaBase } from '../headers/deltaBase.ts'
import { headerText } from '../headers/fieldSyntax.ts'
import { parseIm } from '../headers/instanceManipulation.ts'
import { parseSha256ReprDigest } from '../headers/reprDigest.ts'
import { LEAN_ANSWER_HEADER, LEAN_ANSWER_VALUE, SECRET_HEADER, STATUS_IM_USED } from '../protocol.ts'

/** A version the sender holds: its identity body and SHA-256. */
export interface HeldVersion {
  body: Uint8Array
  hash: Uint8Array
}

/**
 * Request headers with which a sender asks for a delta against `base` (docs/PROTOCOL.md):
 * RFC 3229 (`A-IM`, `If-None-Match`) when vcdiff is enabled, RFC 9842
 * (`Accept-Encoding: dcz, dcb`, `Available-Dictionary`) for the dictionary codecs,
 * and the codings a full answer may use. It asks for the lean answer (LEAN_ANSWER_HEADER)
 * unless `verbose`, which a hand-made client uses to see Repr-Digest, Delta-Base and
 * Coilgun-Origin as a sender of 0.1 did.
 */
export function deltaRequestHeaders (secret: string, codecs: readonly Codec[], base: HeldVersion | undefined, verbose = false): Record<string, string> {
  const headers: Record<string, string> = { [SECRET_HEADER]: secret }
  if (!verbose) headers[LEAN_ANSWER_HEADER] = LEAN_ANSWER_VALUE
  const names = new Set<CodecName>(codecs.filter(c => c.available).map(c => c.name))
  const codings: string[] = []
  if (base !== undefined) {
    if (names.has('vcdiff')) {
      headers['a-im'] = 'vcdiff, gzip'
      headers['if-none-match'] = formatStrongETag(base.hash)
    }
    if (names.has('dcz')) codings.push('dcz')
    if (names.has('dcb')) codings.push('dcb')
    if (codings.length > 0) headers['available-dictionary'] = formatAvailableDictionary(base.hash)
  }
  codings.push('br', 'gzip')
  headers['accept-encoding'] = codings.join(', ')
  return headers
}

export interface OriginAnswerIn {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The body exactly as received (still content-coded). */
  body: Uint8Array
}

export interface RebuiltVersion {
  kind: 'delta' | 'full' | 'not-modified'
  /** Identity body, verified against the version the answer names (see coilgunAnswerHash). */
  body: Uint8Array
  hash: Uint8Array
  codec: CodecName | undefined
  secondary: 'gzip' | undefined
}

/**
 * Turns an origin's answer into the verified identity body: applies a 226 delta or
 * an RFC 9842 body to the base, decodes a compressed full body, or takes the base
 * for a 304. Whatever it returns has the SHA-256 the answer names; anything else is
 * a coded error (COILGUN_ERR_*), and the caller refetches without a delta.
 */
export function rebuildFromAnswer (answer: OriginAnswerIn, base: HeldVersion | undefined, codecs: ReadonlyMap<CodecName, Codec>, maxOutputBytes: number): RebuiltVersion {
  const h = answer.headers
  const expectedHash = coilgunAnswerHash(h)
  if (expectedHash === undefined) throw new ERR_VERIFY_FAILED('the answer names no version: no cg- ETag and no valid Repr-Digest: sha-256')

  if (answer.status === 304) {
    if (base === undefined || !Buffer.from(base.hash).equals(expectedHash)) throw new ERR_VERIFY_FAILED('304 for a version the sender does not hold')
    return { kind: 'not-modified', body: base.body, hash: base.hash, codec: undefined, secondary: undefined }
  }

  const contentEncoding = headerText(h['content-encoding'])?.trim().toLowerCase()
  const im = answer.status === STATUS_IM_USED ? parseIm(h.im) : undefined
  if (answer.status === STATUS_IM_USED || contentEncoding === 'dcz' || contentEncoding === 'dcb') {
    const form = deltaFormFromWire(im, answer.status === STATUS_IM_USED ? undefined : contentEncoding)
    if (form === undefined) throw new ERR_UNSUPPORTED_ENCODING(answer.status === STATUS_IM_USED ? `IM: ${headerText(h.im) ?? ''}` : `Content-Encoding: ${contentEncoding ?? ''}`)
    const codec = codecs.get(form.codec)
    if (codec === undefined || !codec.available) throw new ERR_UNSUPPORTED_ENCODING(`${form.codec} is not enabled here`)
    if (base === undefined) throw new ERR_DELTA_CORRUPT(form.codec, 'a delta arrived but no base is held')
    if (form.codec === 'vcdiff') {
      // RFC 3229 section 10.5.1: Delta-Base names the base the delta applies to. The
      // lean answer leaves it out (the request named one base); when present it must
      // name the base held. The rebuilt page is checked against the named version anyway.
      const deltaBase = h['delta-base']
      if (deltaBase !== undefined) {
        const text = parseDeltaBase(deltaBase)
        const named = text === undefined ? undefined : parseCoilgunETag(text)
        if (named === undefined || !named.equals(base.hash)) throw new ERR_DELTA_CORRUPT('vcdiff', 'Delta-Base does not name the base held')
      }
    }
    const out = decodeDelta({ codec, secondary: form.secondary, base: base.body, baseHash: base.hash, delta: answer.body, expectedHash, maxOutputBytes })
    return { kind: 'delta', body: out.body, hash: out.hash, codec: form.codec, secondary: form.secondary }
  }

  const body = decodeFullBody(contentEncoding, answer.body, maxOutputBytes)
  const hash = sha256(body)
  if (!hash.equals(expectedHash)) throw new ERR_VERIFY_FAILED('SHA-256 of the full body differs from Repr-Digest')
  return { kind: 'full', body, hash, codec: undefined, secondary: undefined }
}

/**
 * True when the answer is Coilgun's (it names a version by a `cg-` ETag or by
 * Repr-Digest), false when the origin answered as it would anyone: it does not run
 * Coilgun or did not recognise the secret.
 */
export function isCoilgunAnswer (headers: Record<string, string | string[] | undefined>): boolean {
  return headers['repr-digest'] !== undefined || etagHash(headers) !== undefined
}

/** The SHA-256 a `cg-` ETag names, undefined for any other ETag or none. */
function etagHash (headers: Record<string, string | string[] | undefined>): Buffer | undefined {
  return typeof headers.etag === 'string' ? parseCoilgunETag(headers.etag) : undefined
}

/**
 * The SHA-256 of the version a Coilgun answer carries, undefined when the answer is
 * not one (an origin that did not recognise the secret answers as it would anyone).
 * A lean answer names it by its strong `cg-` ETag only; a verbose one (origins of
 * 0.1) by `Repr-Digest: sha-256` too, and then both must agree.
 */
export function coilgunAnswerHash (headers: Record<string, string | string[] | undefined>): Buffer | undefined {
  const tagHash = etagHash(headers)
  if (headers['repr-digest'] === undefined) return tagHash
  const digest = parseSha256ReprDigest(headers['repr-digest'])
  if (digest === undefined) return undefined
  if (tagHash !== undefined && !tagHash.equals(digest)) throw new ERR_VERIFY_FAILED('ETag and Repr-Digest name different versions')
  return digest
}

/** Inflates a full body sent with `br`, `gzip` or no coding, bounded by maxOutputBytes. */
export function decodeFullBody (contentEncoding: string | undefined, body: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (contentEncoding === undefined || contentEncoding === '' || contentEncoding === 'identity') {
    if (body.length > maxOutputBytes) throw new ERR_DELTA_TOO_LARGE('identity', String(body.length), String(maxOutputBytes))
    return body
  }
  const options = { maxOutputLength: Math.max(1, maxOutputBytes) }
  try {
    if (contentEncoding === 'br') return zlib.brotliDecompressSync(body, options)
    if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') return zlib.gunzipSync(body, options)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new ERR_DELTA_TOO_LARGE(contentEncoding, `more than ${maxOutputBytes}`, String(maxOutputBytes))
    throw new ERR_DELTA_CORRUPT(contentEncoding, e.message)
  }
  throw new ERR_UNSUPPORTED_ENCODING(`Content-Encoding: ${contentEncoding}`)
}
