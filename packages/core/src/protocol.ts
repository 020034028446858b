// Header names of the Coilgun protocol (docs/PROTOCOL.md). Standard RFC headers are
// used wherever one exists; the `coilgun-*` ones carry what no standard covers.

/** Shared secret that authenticates a sender to an origin (compared in constant time). */
export const SECRET_HEADER = 'coilgun-secret'
/** The application's own ETag, kept aside while `ETag` names the version (cg tag). */
export const ORIGIN_ETAG_HEADER = 'coilgun-origin-etag'
/** Set by the origin side on answers to senders: what it did (`delta`, `full`, `not-modified`). */
export const ORIGIN_STATUS_HEADER = 'coilgun-origin'
/** Diagnostic header of coilgun-listener: `<outcome>; ot=<origin ms>[; size=<bytes>]`. */
export const LISTENER_DIAGNOSTIC_HEADER = 'coilgun-listener'
/**
 * Set by coilgun-listener on the `503` it answers while shutting down: the sender
 * retries such a GET on another upstream, and never an application's own `503`
 * (issue 12). The listener removes it from origin responses, so an origin cannot
 * forge it.
 */
export const COILGUN_CLOSING_HEADER = 'coilgun-closing'
/**
 * The lean answer (issue 17): a sender that sends `Want-Repr-Digest: sha-256=0`
 * (RFC 9530 section 4: sha-256 digests are not wanted) verifies by the strong `cg-`
 * ETag alone, so the origin leaves out `Repr-Digest`, `Delta-Base` (optional with a
 * single If-None-Match tag, RFC 3229 section 10.5.1) and `Coilgun-Origin`, which
 * only repeat what the ETag, the If-None-Match and the status, `IM` or
 * `Content-Encoding` already say. A request without it gets every header, so
 * senders of 0.1 and hand-made clients keep working.
 */
export const LEAN_ANSWER_HEADER = 'want-repr-digest'
export const LEAN_ANSWER_VALUE = 'sha-256=0'
/** Diagnostic header the sender adds for visitors, in the spirit of CF-Railgun. */
export const DIAGNOSTIC_HEADER = 'coilgun'

/**
 * Request header carrying the operator's debug token (`COILGUN_DIAGNOSTIC_TOKEN`):
 * only requests presenting it get the diagnostic header (issue 11). Never forwarded.
 */
export const DEBUG_TOKEN_HEADER = 'coilgun-debug'

/** RFC 3229 section 10.4.1: 226 IM Used. */
export const STATUS_IM_USED = 226

/** Headers that only travel between sender and origin and never reach visitors or apps. */
export const INTERNAL_HEADERS: readonly string[] = Object.freeze([
  SECRET_HEADER,
  ORIGIN_ETAG_HEADER,
  ORIGIN_STATUS_HEADER,
  LISTENER_DIAGNOSTIC_HEADER,
  DEBUG_TOKEN_HEADER,
  COILGUN_CLOSING_HEADER,
  'a-im',
  'im',
  'delta-base',
  'repr-digest',
  LEAN_ANSWER_HEADER,
  'available-dictionary',
  'dictionary-id',
  'use-as-dictionary'
])
