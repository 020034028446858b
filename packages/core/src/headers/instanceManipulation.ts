import type { FieldValue } from './fieldSyntax.ts'
import { MAX_LIST_MEMBERS, isToken, parseParameterizedToken, parseQValue, splitList } from './fieldSyntax.ts'

// RFC 3229 section 10.5.3 (A-IM) and 10.5.2 (IM). A client lists the
// instance-manipulations (delta algorithms such as vcdiff, or codings such as gzip)
// it accepts; a 226 response names, in order, the ones that were applied.

/** One acceptable instance-manipulation from an `A-IM` request header. */
export interface InstanceManipulation {
  /** The instance-manipulation name, lower-cased (RFC 3229 section 10.1 names are case-insensitive tokens). */
  name: string
  /** Parameters other than `q`, by lower-cased name, values unquoted; a prototype-less object. */
  params: Record<string, string>
  /** The qvalue, 0.001 to 1; 1 when absent. */
  q: number
}

/**
 * Parses `A-IM` (RFC 3229 section 10.5.3), e.g. `vcdiff, diffe;q=0.5, gzip`.
 *
 * Members with q=0 ("not acceptable"), malformed members and members beyond the
 * 64th are left out; when a name repeats, its first occurrence decides. The result
 * is in preference order: q descending, then header order.
 */
export function parseAIm (value: FieldValue): InstanceManipulation[] {
  const result: InstanceManipulation[] = []
  const seen = new Set<string>()
  for (const member of splitList(value, MAX_LIST_MEMBERS)) {
    const parsed = parseParameterizedToken(member)
    if (parsed === undefined || seen.has(parsed.name)) continue
    const { name, params } = parsed
    let q = 1
    if ('q' in params) {
      const weight = parseQValue(params.q as string)
      if (weight === undefined) continue
      q = weight
      delete params.q
    }
    seen.add(name)
    if (q > 0) result.push({ name, params, q })
  }
  // Array#sort is stable, so equal q keeps the order the client wrote.
  return result.sort(byQDescending)
}

function byQDescending (a: InstanceManipulation, b: InstanceManipulation): number {
  return b.q - a.q
}

/**
 * Whether `name` is acceptable according to a parsed `A-IM` (case-insensitive).
 * Entries with q=0 were already dropped by parseAIm, so presence means acceptable.
 */
export function acceptsIm (list: readonly InstanceManipulation[], name: string): boolean {
  const wanted = name.toLowerCase()
  for (const im of list) {
    if (im.name === wanted) return true
  }
  return false
}

/**
 * Formats an `IM` response header (RFC 3229 section 10.5.2) from the
 * instance-manipulations in the order they were applied, e.g. `vcdiff, gzip`.
 * Names that are not tokens are dropped so the result always parses back.
 */
export function formatIm (names: readonly string[]): string {
  return names.filter(isToken).join(', ')
}

/**
 * Parses an `IM` response header (RFC 3229 section 10.5.2) into the lower-cased
 * names in the order they were applied. Because that order is how the receiver
 * undoes them, any malformed member (or more than 64 members) makes the whole
 * header unusable, and the result is empty.
 */
export function parseIm (value: FieldValue): string[] {
  const members = splitList(value, MAX_LIST_MEMBERS + 1)
  if (members.length > MAX_LIST_MEMBERS) return []
  const names: string[] = []
  for (const member of members) {
    const parsed = parseParameterizedToken(member)
    if (parsed === undefined) return []
    names.push(parsed.name)
  }
  return names
}
