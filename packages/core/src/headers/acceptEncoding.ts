import type { FieldValue } from './fieldSyntax.ts'
import { MAX_LIST_MEMBERS, parseParameterizedToken, parseQValue, splitList } from './fieldSyntax.ts'

// RFC 9110 section 12.5.3: `Accept-Encoding: gzip, br;q=0.9, *;q=0`. Coilgun uses it
// to decide whether a client can take a dictionary-compressed (RFC 9842 section 6:
// dcb, dcz) or ordinarily compressed response.

/**
 * The weight given to `identity` when the client neither lists it nor excludes it:
 * acceptable (section 12.5.3 makes identity acceptable by default) but below every
 * coding the client asked for, since listing codings signals a preference for them.
 * It is the smallest qvalue section 12.4.2 can express, so at worst it ties.
 */
const IMPLICIT_IDENTITY_Q = 0.001

/**
 * Parses `Accept-Encoding` (RFC 9110 section 12.5.3) into coding → qvalue, codings
 * lower-cased, `*` and `identity` kept as written.
 *
 * Members that are malformed or carry an invalid qvalue are skipped; a repeated
 * coding keeps its first weight; members beyond the 64th are ignored. An absent or
 * wholly malformed field gives an empty map, which acceptsEncoding treats as
 * "identity only". That is stricter than section 12.5.3 for an absent field (which
 * allows any coding) on purpose: a client that did not ask cannot decode a delta.
 */
export function parseAcceptEncoding (value: FieldValue): Map<string, number> {
  const codings = new Map<string, number>()
  for (const member of splitList(value, MAX_LIST_MEMBERS)) {
    const parsed = parseParameterizedToken(member)
    if (parsed === undefined || codings.has(parsed.name)) continue
    let q: number | undefined = 1
    if ('q' in parsed.params) q = parseQValue(parsed.params.q as string)
    if (q !== undefined) codings.set(parsed.name, q)
  }
  return codings
}

// The effective weight of `coding` (lower-cased) under RFC 9110 section 12.5.3:
// an explicit entry wins; `*` covers anything not listed; identity is acceptable
// unless excluded by identity;q=0, or by *;q=0 with no identity entry.
function weightOf (parsed: ReadonlyMap<string, number>, coding: string): number {
  const explicit = parsed.get(coding)
  if (explicit !== undefined) return explicit
  const star = parsed.get('*')
  if (star !== undefined) return star
  return coding === 'identity' ? IMPLICIT_IDENTITY_Q : 0
}

/**
 * Whether `coding` (case-insensitive) is acceptable according to a parsed
 * `Accept-Encoding` (RFC 9110 section 12.5.3): listed with q>0, or covered by `*`
 * with q>0 when not listed; `identity` is acceptable unless excluded by
 * `identity;q=0`, or by `*;q=0` without an identity entry.
 */
export function acceptsEncoding (parsed: ReadonlyMap<string, number>, coding: string): boolean {
  return weightOf(parsed, coding.toLowerCase()) > 0
}

/**
 * Picks the coding from `offered` with the highest weight in a parsed
 * `Accept-Encoding`, ties going to the one offered first; returns that element of
 * `offered` as given, or undefined when none is acceptable. An unlisted, unexcluded
 * `identity` ranks below every coding the client listed with q>0.
 */
export function negotiateEncoding (parsed: ReadonlyMap<string, number>, offered: readonly string[]): string | undefined {
  let best: string | undefined
  let bestQ = 0
  for (const coding of offered) {
    if (typeof coding !== 'string') continue
    const q = weightOf(parsed, coding.toLowerCase())
    if (q > bestQ) {
      best = coding
      bestQ = q
    }
  }
  return best
}
