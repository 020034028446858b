import type { FieldValue } from './fieldSyntax.ts'
import {
  MAX_LIST_MEMBERS,
  decodeBase64Strict,
  joinFieldValue,
  scanSfBareItem,
  scanSfBinary,
  scanSfInnerList,
  scanSfKey,
  scanSfParameters,
  skipOws,
  skipSp
} from './fieldSyntax.ts'

// RFC 9530 section 3: `Repr-Digest: sha-256=:<base64>:, sha-512=:<base64>:` is an
// RFC 8941 Dictionary from hash algorithm to the digest of the selected
// representation. Coilgun names versions by their SHA-256 (see ../digest.ts, which
// also has formatReprDigest), so that is the member that matters.

const SHA256_LENGTH = 32
const COMMA = 0x2c
const EQUALS = 0x3d
const COLON = 0x3a
const OPEN_PAREN = 0x28

/**
 * Parses `Repr-Digest` (RFC 9530 section 3) into algorithm → digest bytes.
 *
 * The field is an RFC 8941 Dictionary; repeated field lines are joined with commas
 * first (RFC 8941 section 4.2). A syntax error anywhere in the dictionary makes the
 * whole field malformed, hence an empty map, as section 4.2 requires. Members whose
 * value is not a byte sequence or not valid base64 are skipped; parameters are
 * ignored. A repeated algorithm takes its last value (section 4.2.2), so a later
 * unusable value also hides an earlier good one. Members beyond the 64th are ignored.
 * Keys are lower-case by the RFC 8941 key grammar; RFC 9530 section 5 registers
 * them in lower case.
 */
export function parseReprDigest (value: FieldValue): Map<string, Buffer> {
  const digests = new Map<string, Buffer>()
  const s = joinFieldValue(value)
  if (s === undefined) return digests
  const members = new Map<string, Buffer | undefined>()
  let i = skipSp(s, 0)
  while (i < s.length) {
    const keyEnd = scanSfKey(s, i)
    if (keyEnd === -1) return digests
    const key = s.slice(i, keyEnd)
    let bytes: Buffer | undefined
    i = keyEnd
    if (s.charCodeAt(i) !== EQUALS) {
      // A bare key is Boolean true (section 4.2.2): not a digest.
      i = scanSfParameters(s, i)
    } else if (s.charCodeAt(i + 1) === COLON) {
      const end = scanSfBinary(s, i + 1)
      if (end === -1) return digests
      bytes = decodeBase64Strict(s.slice(i + 2, end - 1))
      i = scanSfParameters(s, end)
    } else if (s.charCodeAt(i + 1) === OPEN_PAREN) {
      i = scanSfInnerList(s, i + 1)
    } else {
      i = scanSfBareItem(s, i + 1)
      if (i !== -1) i = scanSfParameters(s, i)
    }
    if (i === -1) return digests
    members.set(key, bytes)
    if (members.size >= MAX_LIST_MEMBERS) break
    i = skipOws(s, i)
    if (i >= s.length) break
    if (s.charCodeAt(i) !== COMMA) return digests
    i = skipOws(s, i + 1)
    // A trailing comma is a syntax error (RFC 8941 section 4.2.2).
    if (i >= s.length) return digests
  }
  for (const [algorithm, bytes] of members) {
    if (bytes !== undefined) digests.set(algorithm, bytes)
  }
  return digests
}

/**
 * The `sha-256` member of `Repr-Digest` (RFC 9530 section 3), or undefined when it
 * is missing, malformed or not exactly 32 bytes long.
 */
export function parseSha256ReprDigest (value: FieldValue): Buffer | undefined {
  const digest = parseReprDigest(value).get('sha-256')
  return digest !== undefined && digest.length === SHA256_LENGTH ? digest : undefined
}
