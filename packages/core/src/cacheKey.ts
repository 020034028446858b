import { isIPv6 } from 'node:net'

// One cache key per URL, the same for the sender, the Fastify plugin, the Express
// middleware and the listener (issue 11). Before it, the key was Host and target
// glued together, so `Host: h/foo` + `GET /bar` shared the key of `Host: h` +
// `GET /foo/bar`: a visitor could plant a base under another page's key.

/**
 * Longest `Host` accepted: a DNS name is at most 253 characters (RFC 1035 section
 * 2.3.4, 255 octets on the wire), plus `:` and a five-digit port.
 */
export const MAX_HOST_LENGTH = 255 + 6

/**
 * Joins host and request target. A space can occur neither in a host (RFC 3986
 * section 3.2.2) nor in a request target (RFC 9112 section 3.2: Node's parser
 * refuses it), so no two (host, target) pairs share a key.
 */
export const RESOURCE_KEY_SEPARATOR = ' '

// reg-name = *( unreserved / pct-encoded / sub-delims ), RFC 3986 section 3.2.2;
// an IPv4 address is a reg-name too. Empty is refused here (RFC 9110 section 7.2
// allows an empty Host only for URIs without an authority, which HTTP URLs have).
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/
// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
const IP_FUTURE = /^[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/
const PORT = /^[0-9]{0,5}$/

/**
 * The visitor's `Host` (RFC 9110 section 7.2: `uri-host [ ":" port ]`, with the
 * host syntax of RFC 3986 section 3.2.2), lower-cased, without an empty port; or
 * undefined when it is missing, repeated, empty, longer than {@link MAX_HOST_LENGTH}
 * or not that syntax (a space, `/`, `@`, `\`, ...). Callers answer `400` then.
 */
export function parseHost (value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HOST_LENGTH) return undefined
  let host: string
  let port: string
  if (value.startsWith('[')) {
    const close = value.indexOf(']')
    if (close < 0) return undefined
    host = value.slice(0, close + 1)
    const rest = value.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return undefined
    port = rest.slice(1)
    const literal = host.slice(1, -1)
    if (!isIPv6(literal) && !IP_FUTURE.test(literal)) return undefined
  } else {
    const colon = value.lastIndexOf(':')
    host = colon < 0 ? value : value.slice(0, colon)
    port = colon < 0 ? '' : value.slice(colon + 1)
    if (!REG_NAME.test(host)) return undefined
  }
  if (!PORT.test(port) || (port !== '' && Number(port) > 65535)) return undefined
  // RFC 3986 section 3.2.3: an empty port is the same as none.
  return (port === '' ? host : `${host}:${port}`).toLowerCase()
}

/**
 * The cache key of a resource: the validated host ({@link parseHost}), then
 * {@link RESOURCE_KEY_SEPARATOR}, then the request target (path and query) as the
 * visitor sent it.
 */
export function resourceKey (host: string, target: string): string {
  return `${host}${RESOURCE_KEY_SEPARATOR}${target}`
}
