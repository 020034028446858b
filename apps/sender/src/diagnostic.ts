import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { DEBUG_TOKEN_HEADER } from '@coilgun/core'
import type { RequestNote } from '@coilgun/service'

/**
 * The `Coilgun` diagnostic response header, in the spirit of CF-Railgun:
 *
 *   Coilgun: <outcome>[; codec=<codec>]; up=<bytes>; size=<bytes>; ut=<ms>[; why=<code>]
 *
 * outcome: `delta` (rebuilt from a delta), `full` (origin sent the whole page),
 * `not-modified` (origin confirmed the held version), `fallback` (a delta failed
 * verification and the page was fetched again in full), `passthrough` (not a
 * Coilgun answer: streamed as is). `up` is the bytes received from the origin for
 * this request, `size` the page size served, `ut` the upstream time in ms, `why`
 * the coded error that caused a fallback.
 */
export interface Diagnostic extends RequestNote<'delta' | 'full' | 'not-modified' | 'fallback' | 'passthrough'> {
  /** Body bytes from the upstream (`up=`). */
  linkBytes: number
  size: number | undefined
  /** The upstream's whole answer, ms (`ut=`). */
  waitedMs: number
}

export function formatDiagnostic (d: Diagnostic): string {
  let out = d.outcome
  if (d.codec !== undefined) out += `; codec=${d.codec}`
  out += `; up=${d.linkBytes}`
  if (d.size !== undefined) out += `; size=${d.size}`
  out += `; ut=${Math.round(d.waitedMs)}`
  if (d.why !== undefined) out += `; why=${d.why}`
  return out
}

/**
 * Who gets the diagnostic header (issue 11). Its `up=` bytes and its outcome tell a
 * visitor how much the page differed from the base the sender held, which is a
 * compression oracle when that base was someone else's; so it is off by default
 * (`COILGUN_DIAGNOSTIC_HEADER`), and when on it can be limited to requests that
 * present the operator's token (`COILGUN_DIAGNOSTIC_TOKEN`) in `Coilgun-Debug`.
 * Logs (debug level) and /metrics carry the same information at all times.
 */
export class DiagnosticGate {
  readonly #enabled: boolean
  readonly #tokenHash: Buffer | undefined

  constructor (enabled: boolean, token: string | undefined) {
    this.#enabled = enabled
    this.#tokenHash = token === undefined ? undefined : sha256(token)
  }

  /** True when this request's answer carries the `Coilgun` header. */
  allows (headers: IncomingHttpHeaders): boolean {
    if (!this.#enabled) return false
    if (this.#tokenHash === undefined) return true
    const presented = headers[DEBUG_TOKEN_HEADER]
    if (typeof presented !== 'string') return false
    // Hashes of equal length, compared in constant time: the time taken says nothing
    // about how much of a guess matched (as for the shared secret).
    return timingSafeEqual(sha256(presented), this.#tokenHash)
  }
}

function sha256 (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
