import { ERR_UPSTREAM_TIMEOUT } from '@coilgun/core'

// How a failed upstream request (undici and socket error codes) is reported to the
// client: a timeout is 504, anything else 502 (RFC 9110 section 15.6.3 and 15.6.5).

/** Longest wait for a TCP (and TLS) connection to an upstream or an origin (COILGUN_CONNECT_TIMEOUT_MS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000

/** The kinds of upstream failure, a label of each app's upstream-error counter. */
export const UPSTREAM_ERROR_KINDS = ['timeout', 'connect-timeout', 'unreachable', 'bad-answer'] as const
export type UpstreamErrorKind = typeof UPSTREAM_ERROR_KINDS[number]

/** How an upstream failure is reported to the visitor. */
export function classifyUpstreamError (err: unknown): { status: 502 | 504, kind: UpstreamErrorKind } {
  // @fastify/reply-from wraps the socket error: a 504-coded wrapper is a timeout.
  if ((err as { statusCode?: number }).statusCode === 504) return { status: 504, kind: 'timeout' }
  const code = rootCode(err)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT' || code === 'COILGUN_ERR_UPSTREAM_TIMEOUT') return { status: 504, kind: 'timeout' }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { status: 502, kind: 'connect-timeout' }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') return { status: 502, kind: 'unreachable' }
  return { status: 502, kind: 'bad-answer' }
}

/** True when the request never reached the upstream, so any method may be retried. */
export function isConnectFailure (err: unknown): boolean {
  const code = rootCode(err)
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH'
}


/**
 * Aborts `abort` after `ms` with COILGUN_ERR_UPSTREAM_TIMEOUT (a 504). undici's
 * bodyTimeout only limits the gap between two chunks, so an upstream trickling its
 * body a byte at a time would otherwise hold the request forever; this bounds the
 * whole answer. Clear the returned timer once the answer is complete.
 */
export function abortAfter (abort: AbortController, ms: number): NodeJS.Timeout {
  return setTimeout(abortWithTimeout, ms, abort, ms)
}

function abortWithTimeout (abort: AbortController, ms: number): void {
  abort.abort(new ERR_UPSTREAM_TIMEOUT(String(ms)))
}

/** The code of the error, or of its cause when a library wrapped it. */
function rootCode (err: unknown): string {
  const cause = (err as { cause?: unknown }).cause
  const causeCode = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined
  if (typeof causeCode === 'string') return causeCode
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : ''
}
