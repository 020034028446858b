import type { SenderConfig } from './config.ts'

/**
 * Fastify server options for the visitor side: plain HTTP/1.1 without a certificate;
 * with one, TLS offering ALPN `h2` and `http/1.1` (allowHTTP1), so HTTP/2 browsers
 * and HTTP/1.1 clients (curl, WebSocket upgrades) share the port.
 */
export function visitorTlsOptions (config: Pick<SenderConfig, 'tlsCert' | 'tlsKey'>): Record<string, unknown> {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return {}
  return { http2: true, https: { allowHTTP1: true, cert: config.tlsCert, key: config.tlsKey } }
}

/**
 * HTTP/2 visitors (RFC 9113 section 8.3.1) send `:authority` instead of `Host`: the
 * rest of the sender (cache key, Host validation, the origin's virtual hosts) reads
 * `Host`, so it is filled in from `:authority`. Pseudo-header fields themselves are
 * never forwarded (see upstreamRequestHeaders).
 */
export function normalizeHttp2Request (headers: Record<string, string | string[] | undefined>): void {
  const authority = headers[':authority']
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority
}
