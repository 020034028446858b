import { ParseError } from 'structured-headers'

/**
 * Runs a `structured-headers` parser (RFC 9651) on a field value. Undefined when the
 * value is malformed: section 4.2 makes the whole field fail, and Coilgun's header
 * parsers treat a malformed field as absent and never throw. Any other error is a
 * bug and is rethrown.
 */
export function parseStructuredField<T> (parse: (input: string) => T, input: string): T | undefined {
  try {
    return parse(input)
  } catch (err) {
    if (err instanceof ParseError) return undefined
    throw err
  }
}
