import { parseDictionary } from 'structured-headers'
import type { FieldValue } from './fieldSyntax.ts'
import { MAX_LIST_MEMBERS, joinFieldValue } from './fieldSyntax.ts'
import { parseStructuredField } from './structuredField.ts'

// RFC 9530 section 3: `Repr-Digest: sha-256=:<base64>:, sha-512=:<base64>:` is an
// RFC 9651 Dictionary from hash algorithm to the digest of the selected
// representation. Coilgun names versions by their SHA-256 (see ../digest.ts, which
// also has formatReprDigest), so that is the member that matters. The dictionary
// is parsed by `structured-headers`, which passes the HTTP WG's structured-field
// test suite (issue 14), rather than by a parser of our own.

const SHA256_LENGTH = 32

/**
 * Parses `Repr-Digest` (RFC 9530 section 3) into algorithm → digest bytes.
 *
 * The field is an RFC 9651 Dictionary; repeated field lines are joined with commas
 * first (RFC 9651 section 4.2). A syntax error anywhere in the dictionary, including
 * a byte sequence that is not base64 (section 4.2.7), makes the whole field
 * malformed, hence an empty map, as section 4.2 requires. Members whose value is not
 * a byte sequence are skipped; parameters are ignored. A repeated algorithm takes
 * its last value (section 4.2.2), so a later unusable value also hides an earlier
 * good one. Members beyond the 64th are ignored. Keys are lower-case by the key
 * grammar; RFC 9530 section 5 registers them in lower case. Never throws.
 */
export function parseReprDigest (value: FieldValue): Map<string, Buffer> {
  const digests = new Map<string, Buffer>()
  const members = parseDigestDictionary(value)
  if (members === undefined) return digests
  let seen = 0
  for (const [algorithm, [member]] of members) {
    if (++seen > MAX_LIST_MEMBERS) break
    if (member instanceof ArrayBuffer) digests.set(algorithm, Buffer.from(member))
  }
  return digests
}

/**
 * True when `Want-Repr-Digest` (RFC 9530 section 4, an RFC 9651 Dictionary of
 * algorithm to preference 0-10) gives `sha-256` the preference 0, "not acceptable":
 * the request of a sender that verifies by ETag and wants the lean answer
 * (LEAN_ANSWER_HEADER in protocol.ts). A malformed field wants nothing. Never throws.
 */
export function wantsNoSha256Digest (value: FieldValue): boolean {
  // What every Coilgun sender sends, answered without parsing (the origin's hot path).
  if (value === 'sha-256=0') return true
  return parseDigestDictionary(value)?.get('sha-256')?.[0] === 0
}

/** A digest field's RFC 9651 Dictionary, field lines joined first; undefined when absent or malformed. */
function parseDigestDictionary (value: FieldValue): ReturnType<typeof parseDictionary> | undefined {
  const s = joinFieldValue(value)
  return s === undefined ? undefined : parseStructuredField(parseDictionary, s)
}

/**
 * The `sha-256` member of `Repr-Digest` (RFC 9530 section 3), or undefined when it
 * is missing, malformed or not exactly 32 bytes long.
 */
export function parseSha256ReprDigest (value: FieldValue): Buffer | undefined {
  const digest = parseReprDigest(value).get('sha-256')
  return digest !== undefined && digest.length === SHA256_LENGTH ? digest : undefined
}
