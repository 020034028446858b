import type { FieldValue } from './fieldSyntax.ts'
import { MAX_LIST_MEMBERS, splitList, trimOws } from './fieldSyntax.ts'

// RFC 9110 section 8.8.3 entity-tags and section 13.1.2 If-None-Match. RFC 3229
// section 4 has the client list the entity tags of the instances it holds in
// If-None-Match; the server picks one of them as the base for a delta.

/** An entity tag (RFC 9110 section 8.8.3). */
export interface EntityTag {
  /** True for `W/"..."`. */
  weak: boolean
  /** The opaque-tag including its double quotes, e.g. `"abc"`. */
  opaque: string
}

/** A parsed `If-None-Match` (RFC 9110 section 13.1.2). */
export interface IfNoneMatch {
  /** True when the field is `*`: any current representation matches. */
  any: boolean
  /** The well-formed entity tags, in header order (at most 64). */
  tags: EntityTag[]
}

const DQUOTE = 0x22

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 section 8.8.3); obs-text is %x80-FF.
function isEtagc (c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff)
}

/**
 * Parses one entity-tag, `"abc"` or `W/"abc"` (surrounding OWS allowed). The weak
 * prefix is case-sensitive (`%s"W/"`). Undefined when `value` is not exactly one
 * entity-tag.
 */
export function parseEntityTag (value: string): EntityTag | undefined {
  if (typeof value !== 'string') return undefined
  const s = trimOws(value)
  const weak = s.charCodeAt(0) === 0x57 && s.charCodeAt(1) === 0x2f
  const start = weak ? 2 : 0
  if (s.length < start + 2 || s.charCodeAt(start) !== DQUOTE || s.charCodeAt(s.length - 1) !== DQUOTE) return undefined
  for (let i = start + 1; i < s.length - 1; i++) {
    if (!isEtagc(s.charCodeAt(i))) return undefined
  }
  return { weak, opaque: weak ? s.slice(2) : s }
}

/** Formats an entity tag for ETag or If-None-Match: `W/"abc"` or `"abc"`. `tag.opaque` must already carry its quotes. */
export function formatEntityTag (tag: EntityTag): string {
  return tag.weak ? `W/${tag.opaque}` : tag.opaque
}

/**
 * Parses `If-None-Match` (RFC 9110 section 13.1.2): `*` or a list of entity-tags.
 * Malformed members are skipped, so a wholly malformed field gives no tags. `*` only
 * counts when it stands alone (the grammar is `"*" / #entity-tag`); mixed with tags
 * it is skipped as malformed. Members beyond the 64th are ignored.
 */
export function parseIfNoneMatch (value: FieldValue): IfNoneMatch {
  // Opaque tags may contain commas but have no escapes, hence the entity-tag quoting.
  const members = splitList(value, MAX_LIST_MEMBERS, 'entity-tag')
  const tags: EntityTag[] = []
  let star = false
  let others = false
  for (const member of members) {
    if (member === '*') {
      star = true
      continue
    }
    others = true
    const tag = parseEntityTag(member)
    if (tag !== undefined) tags.push(tag)
  }
  return { any: star && !others, tags }
}

/**
 * The opaque tags (with quotes) of the strong entity tags in `list`, in order and
 * without duplicates. Delta bases must be strong: RFC 3229 section 10.5.1 and RFC
 * 9110 section 8.8.3.2 (a weak tag cannot promise byte-identical content).
 */
export function strongTags (list: readonly EntityTag[] | IfNoneMatch): string[] {
  const tags = Array.isArray(list) ? list as readonly EntityTag[] : (list as IfNoneMatch).tags
  const result: string[] = []
  for (const tag of tags) {
    if (!tag.weak && !result.includes(tag.opaque)) result.push(tag.opaque)
  }
  return result
}

/** Strong comparison (RFC 9110 section 8.8.3.2): both tags strong and their opaque-tags identical. */
export function strongMatch (a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque
}

/** Weak comparison (RFC 9110 section 8.8.3.2): opaque-tags identical, either or both may be weak. */
export function weakMatch (a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque
}
