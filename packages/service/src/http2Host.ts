/**
 * HTTP/2 clients (RFC 9113 section 8.3.1) send `:authority` instead of `Host`. The
 * sender and the listener route, key and validate by `Host`, so for an HTTP/2
 * request it is filled in from `:authority` (never overwriting a `Host` the client
 * sent). Pseudo-header fields themselves are never forwarded (upstreamRequestHeaders).
 */
export function http2HostFromAuthority (headers: Record<string, string | string[] | undefined>): void {
  const authority = headers[':authority']
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority
}
