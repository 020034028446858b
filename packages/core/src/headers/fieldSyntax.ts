// Low-level field syntax shared by the protocol header parsers: RFC 9110 section 5.6
// (tokens, lists, quoted strings, parameters, qvalues); the Structured Fields of
// RFC 9651 (Repr-Digest, Available-Dictionary) are parsed by `structured-headers`.
// Everything here scans left to right with
// plain index loops, never regular expressions, so the cost stays linear in the
// length of an attacker-controlled header (up to ~16 KB) and nothing can throw.

/** A header value as Node hands it over: an array when the field was repeated. */
export type FieldValue = string | readonly string[] | undefined

/**
 * Members of a list-based field beyond this many are ignored. RFC 9110 section 5.6.1
 * only asks recipients to handle "a reasonable number" of list elements; no client
 * sends more than a handful of codings, manipulations or entity tags.
 */
export const MAX_LIST_MEMBERS = 64

const SP = 0x20
const HTAB = 0x09
const DQUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const SEMICOLON = 0x3b
const EQUALS = 0x3d

// RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
// "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128)
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1
for (const ch of '!#$%&\'*+-.^_`|~') TCHAR[ch.charCodeAt(0)] = 1

/** True when the UTF-16 code unit `code` is an RFC 9110 section 5.6.2 tchar. */
export function isTchar (code: number): boolean {
  return code < 128 && TCHAR[code] === 1
}

/** True when `s` is a non-empty RFC 9110 section 5.6.2 token. */
export function isToken (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    if (!isTchar(s.charCodeAt(i))) return false
  }
  return true
}

/** Index of the first character at or after `i` that is not OWS (SP / HTAB, RFC 9110 section 5.6.3). */
export function skipOws (s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c !== SP && c !== HTAB) break
    i++
  }
  return i
}

/** `s` without leading and trailing OWS. Unlike String#trim it leaves other whitespace alone, which no grammar here allows. */
export function trimOws (s: string): string {
  const start = skipOws(s, 0)
  let end = s.length
  while (end > start) {
    const c = s.charCodeAt(end - 1)
    if (c !== SP && c !== HTAB) break
    end--
  }
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/**
 * The field lines of `value` that are strings. A repeated header arrives as an
 * array; anything that is not a string (a caller bug) is ignored rather than thrown on.
 */
export function fieldLines (value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (!Array.isArray(value)) return []
  const lines: string[] = []
  for (const line of value) {
    if (typeof line === 'string') lines.push(line)
  }
  return lines
}

/**
 * The combined field value for a field that is a list: RFC 9110 section 5.3 lets a
 * recipient join repeated field lines with ", ". Empty lines hold no members and are
 * left out, so they cannot turn into a stray comma. Undefined when no line remains.
 */
export function joinFieldValue (value: unknown): string | undefined {
  const lines = fieldLines(value).filter(hasContent)
  return lines.length === 0 ? undefined : lines.join(', ')
}

/**
 * One header value as a single string: repeated field lines joined with ", "
 * (RFC 9110 section 5.3), a number (a Content-Length set by the app) as its text.
 * Undefined when the field is absent.
 */
export function headerText (value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

function hasContent (line: string): boolean {
  return skipOws(line, 0) < line.length
}

/**
 * The only field line of a singleton field. Undefined when the field is absent or
 * was sent more than once: a repeated singleton cannot be resolved safely.
 */
export function singleFieldLine (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (!Array.isArray(value) || value.length !== 1) return undefined
  const line: unknown = value[0]
  return typeof line === 'string' ? line : undefined
}

/**
 * How `splitList` treats double quotes: `quoted-string` honours backslash escapes
 * (RFC 9110 section 5.6.4); `entity-tag` does not, because an opaque-tag has no
 * escapes and may end in a backslash (section 8.8.3).
 */
export type QuoteStyle = 'quoted-string' | 'entity-tag'

/**
 * Splits a list-based field (RFC 9110 section 5.6.1) into its OWS-trimmed members,
 * treating commas inside double quotes as data and dropping empty members, which
 * recipients must tolerate. Repeated field lines are split one after another, as if
 * joined with commas (section 5.3), so an unbalanced quote cannot swallow the next
 * line. Stops after `max` members.
 */
export function splitList (value: unknown, max: number = MAX_LIST_MEMBERS, quotes: QuoteStyle = 'quoted-string'): string[] {
  const members: string[] = []
  const escapes = quotes === 'quoted-string'
  for (const line of fieldLines(value)) {
    let start = 0
    let inQuotes = false
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line.charCodeAt(i) : COMMA
      if (inQuotes && i < line.length) {
        if (c === DQUOTE) inQuotes = false
        else if (c === BACKSLASH && escapes && i + 1 < line.length) i++
        continue
      }
      if (c === DQUOTE) {
        inQuotes = true
      } else if (c === COMMA) {
        const member = trimOws(line.slice(start, i))
        if (member.length > 0) {
          members.push(member)
          if (members.length >= max) return members
        }
        start = i + 1
      }
    }
  }
  return members
}

/** Result of `parseQuotedString`: the unescaped text and the index just after the closing quote. */
export interface QuotedString {
  value: string
  end: number
}

/**
 * Parses an RFC 9110 section 5.6.4 quoted-string starting at `s[start]` (which must
 * be the opening DQUOTE). Undefined when it is unterminated or holds a character
 * that neither qdtext nor quoted-pair allows (CTLs other than HTAB, DEL, above 0xFF).
 */
export function parseQuotedString (s: string, start: number): QuotedString | undefined {
  if (s.charCodeAt(start) !== DQUOTE) return undefined
  let value = ''
  let run = start + 1
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === DQUOTE) return { value: value + s.slice(run, i), end: i + 1 }
    if (c === BACKSLASH) {
      const next = s.charCodeAt(i + 1)
      if (!isQuotedTextChar(next)) return undefined
      value += s.slice(run, i)
      run = i + 1
      i++
      continue
    }
    if (!isQuotedTextChar(c)) return undefined
  }
  return undefined
}

// qdtext and the escaped character of a quoted-pair differ only in DQUOTE and "\",
// which the caller handles: HTAB / SP / VCHAR / obs-text.
function isQuotedTextChar (c: number): boolean {
  return c === HTAB || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff)
}

/**
 * Parses an RFC 9110 section 12.4.2 qvalue: `( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
 * Undefined for anything else (negative, above 1, more than three decimals, exponents).
 */
export function parseQValue (s: string): number | undefined {
  if (s.length === 0 || s.length > 5) return undefined
  const first = s.charCodeAt(0)
  if (first !== 0x30 && first !== 0x31) return undefined
  if (s.length === 1) return first - 0x30
  if (s.charCodeAt(1) !== 0x2e) return undefined
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (first === 0x31 ? c !== 0x30 : c < 0x30 || c > 0x39) return undefined
  }
  return Number(s)
}

/** A list member of the form `token *( OWS ";" OWS [ parameter ] )`. */
export interface ParameterizedToken {
  /** The token, lower-cased: every name parsed this way is case-insensitive. */
  name: string
  /**
   * Parameters by lower-cased name (RFC 9110 section 5.6.6), values unquoted. The
   * first occurrence of a name wins. The object has no prototype, so a parameter
   * called `__proto__` or `constructor` is just data.
   */
  params: Record<string, string>
}

/**
 * Parses one OWS-trimmed list member shaped like `gzip;q=0.5` or `vcdiff;x="a, b"`
 * (RFC 9110 sections 5.6.6 and 12.4.2; RFC 3229 section 10.5.3). Empty parameters
 * (`gzip;`) are allowed as section 5.6.6 says; whitespace around "=" is not.
 * Undefined when the member does not match.
 */
export function parseParameterizedToken (member: string): ParameterizedToken | undefined {
  let i = 0
  while (i < member.length && isTchar(member.charCodeAt(i))) i++
  if (i === 0) return undefined
  const name = member.slice(0, i).toLowerCase()
  const params: Record<string, string> = Object.create(null) as Record<string, string>
  while (true) {
    i = skipOws(member, i)
    if (i >= member.length) return { name, params }
    if (member.charCodeAt(i) !== SEMICOLON) return undefined
    i = skipOws(member, i + 1)
    if (i >= member.length || member.charCodeAt(i) === SEMICOLON) continue
    const keyStart = i
    while (i < member.length && isTchar(member.charCodeAt(i))) i++
    if (i === keyStart || member.charCodeAt(i) !== EQUALS) return undefined
    const key = member.slice(keyStart, i).toLowerCase()
    i++
    let paramValue: string
    if (member.charCodeAt(i) === DQUOTE) {
      const quoted = parseQuotedString(member, i)
      if (quoted === undefined) return undefined
      paramValue = quoted.value
      i = quoted.end
    } else {
      const valueStart = i
      while (i < member.length && isTchar(member.charCodeAt(i))) i++
      if (i === valueStart) return undefined
      paramValue = member.slice(valueStart, i)
    }
    if (!(key in params)) params[key] = paramValue
  }
}
