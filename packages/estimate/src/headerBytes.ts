import { STATUS_CODES } from 'node:http'

// Header overhead is counted as the bytes of HTTP/1.1 header lines
// (`name: value` CRLF, RFC 9112 section 5): the most a header can cost on the wire.
// HTTP/2 and HTTP/3 compress repeated headers (HPACK, QPACK), so there they cost less.

/** Bytes of `headers` written as HTTP/1.1 header lines. */
export function headerLineBytes (headers: Readonly<Record<string, string>>): number {
  let bytes = 0
  for (const [name, value] of Object.entries(headers)) bytes += Buffer.byteLength(`${name}: ${value}\r\n`)
  return bytes
}

/**
 * Extra bytes of the status line against `200 OK`: a delta in RFC 3229 form answers
 * `226 IM Used` (RFC 3229 section 10.4.1), five bytes longer.
 */
export function statusLineExtraBytes (status: number): number {
  return Buffer.byteLength(STATUS_CODES[status] ?? '') - Buffer.byteLength(STATUS_CODES[200] ?? '')
}
