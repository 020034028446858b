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
export interface Diagnostic {
  outcome: 'delta' | 'full' | 'not-modified' | 'fallback' | 'passthrough'
  codec?: string | undefined
  upstreamBytes: number
  size: number | undefined
  upstreamMs: number
  why?: string | undefined
}

export function formatDiagnostic (d: Diagnostic): string {
  let out = d.outcome
  if (d.codec !== undefined) out += `; codec=${d.codec}`
  out += `; up=${d.upstreamBytes}`
  if (d.size !== undefined) out += `; size=${d.size}`
  out += `; ut=${Math.round(d.upstreamMs)}`
  if (d.why !== undefined) out += `; why=${d.why}`
  return out
}
