import { createError } from '@fastify/error'

// Every failure Coilgun reports carries a stable code (STYLE rule 4): callers and
// tests match `err.code`, never the message. Codes are never reused; each is
// documented in docs/ERRORS.md (a test checks that).

export const ERR_INVALID_OPTION = createError('COILGUN_ERR_INVALID_OPTION', 'Invalid option %s: %s', 500, TypeError)
export const ERR_UNKNOWN_CODEC = createError('COILGUN_ERR_UNKNOWN_CODEC', 'Unknown codec "%s"; known codecs: %s', 500, TypeError)
export const ERR_CODEC_UNAVAILABLE = createError('COILGUN_ERR_CODEC_UNAVAILABLE', 'Codec "%s" is not available on this runtime: %s', 500)
export const ERR_DELTA_CORRUPT = createError('COILGUN_ERR_DELTA_CORRUPT', 'Delta (%s) could not be decoded: %s', 502)
export const ERR_DELTA_TOO_LARGE = createError('COILGUN_ERR_DELTA_TOO_LARGE', 'Delta (%s) would produce %s bytes, more than the limit of %s', 502)
export const ERR_DICTIONARY_MISMATCH = createError('COILGUN_ERR_DICTIONARY_MISMATCH', 'Delta (%s) was made against another base: %s', 502)
export const ERR_VERIFY_FAILED = createError('COILGUN_ERR_VERIFY_FAILED', 'Rebuilt body failed verification: %s', 502)
export const ERR_ENCODE_FAILED = createError('COILGUN_ERR_ENCODE_FAILED', 'Codec "%s" could not encode: %s', 500)
export const ERR_UNSUPPORTED_ENCODING = createError('COILGUN_ERR_UNSUPPORTED_ENCODING', 'Unsupported delta encoding: %s', 502)
export const ERR_STORE_UNAVAILABLE = createError('COILGUN_ERR_STORE_UNAVAILABLE', 'Version store unavailable: %s', 503)
export const ERR_UPSTREAM_TIMEOUT = createError('COILGUN_ERR_UPSTREAM_TIMEOUT', 'The upstream did not complete its answer within %s ms', 504)
export const ERR_ENCODE_BUSY = createError('COILGUN_ERR_ENCODE_BUSY', 'The %s encoder lane is saturated (%s tasks queued)', 503)
export const ERR_ENCODE_TIMEOUT = createError('COILGUN_ERR_ENCODE_TIMEOUT', 'An encode of %s bytes ran longer than %s ms', 503)
export const ERR_UPSTREAM_BUSY = createError('COILGUN_ERR_UPSTREAM_BUSY', 'Too many requests waiting for upstream %s (%s)', 503)
export const ERR_VISITOR_GONE = createError('COILGUN_ERR_VISITOR_GONE', 'The visitor closed the connection before the answer was complete', 499)
export const ERR_ENCODER_WORKER = createError('COILGUN_ERR_ENCODER_WORKER', 'An encoder worker failed: %s', 500)
export const ERR_ENCODER_CLOSED = createError('COILGUN_ERR_ENCODER_CLOSED', 'The encoder pool is closed', 503)
export const ERR_BODY_INCOMPLETE = createError('COILGUN_ERR_BODY_INCOMPLETE', 'The body stream closed before its end', 502)
export const ERR_ANSWER_TOO_LARGE = createError('COILGUN_ERR_ANSWER_TOO_LARGE', 'The upstream\'s Coilgun answer exceeds %s bytes', 502)
export const ERR_ANSWER_STATUS = createError('COILGUN_ERR_ANSWER_STATUS', 'The upstream answered status %s with a Coilgun digest', 502)

/** All codes defined by @coilgun/core, for documentation checks. */
export const CORE_ERROR_CODES: readonly string[] = Object.freeze([
  'COILGUN_ERR_INVALID_OPTION',
  'COILGUN_ERR_UNKNOWN_CODEC',
  'COILGUN_ERR_CODEC_UNAVAILABLE',
  'COILGUN_ERR_DELTA_CORRUPT',
  'COILGUN_ERR_DELTA_TOO_LARGE',
  'COILGUN_ERR_DICTIONARY_MISMATCH',
  'COILGUN_ERR_VERIFY_FAILED',
  'COILGUN_ERR_ENCODE_FAILED',
  'COILGUN_ERR_UNSUPPORTED_ENCODING',
  'COILGUN_ERR_STORE_UNAVAILABLE',
  'COILGUN_ERR_UPSTREAM_TIMEOUT',
  'COILGUN_ERR_ENCODE_BUSY',
  'COILGUN_ERR_ENCODE_TIMEOUT',
  'COILGUN_ERR_UPSTREAM_BUSY',
  'COILGUN_ERR_VISITOR_GONE',
  'COILGUN_ERR_ENCODER_WORKER',
  'COILGUN_ERR_ENCODER_CLOSED',
  'COILGUN_ERR_BODY_INCOMPLETE',
  'COILGUN_ERR_ANSWER_TOO_LARGE',
  'COILGUN_ERR_ANSWER_STATUS'
])

/** True for an error that carries one of Coilgun's codes. */
export function isCoilgunError (err: unknown): err is Error & { code: string } {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('COILGUN_ERR_')
}
