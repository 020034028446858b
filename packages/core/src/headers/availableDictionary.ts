import { parseItem } from 'structured-headers'
import type { FieldValue } from './fieldSyntax.ts'
import { singleFieldLine } from './fieldSyntax.ts'
import { parseStructuredField } from './structuredField.ts'

// RFC 9842 section 2.2: `Available-Dictionary: :<base64 of SHA-256>:` is a
// Structured Field Item (RFC 9651 section 3.3.5, sf-binary) naming the dictionary
// the client holds, parsed by `structured-headers` (issue 14). Formatting lives in
// ../digest.ts (formatAvailableDictionary).

const SHA256_LENGTH = 32

/**
 * Parses `Available-Dictionary` into the 32-byte SHA-256 of the client's dictionary.
 * Undefined when absent, not an sf-binary, not base64, not exactly 32 bytes, or sent
 * more than once (an Item field cannot be repeated, RFC 9651 section 4.2).
 * Parameters after the value are ignored, as RFC 9651 expects of unknown ones.
 * Never throws.
 */
export function parseAvailableDictionary (value: FieldValue): Buffer | undefined {
  const line = singleFieldLine(value)
  if (line === undefined) return undefined
  const hash = parseStructuredField(parseItem, line)?.[0]
  return hash instanceof ArrayBuffer && hash.byteLength === SHA256_LENGTH ? Buffer.from(hash) : undefined
}
