import { createSecureContext } from 'node:tls'
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
 * The secure context to switch to on SIGHUP (issues 16, 18), validated (a key that
 * does not match its certificate throws), or undefined when the certificate and key
 * did not change. New TLS handshakes use it; open connections keep theirs.
 */
export function visitorTlsReload (current: Pick<SenderConfig, 'tlsCert' | 'tlsKey'>, next: Pick<SenderConfig, 'tlsCert' | 'tlsKey'>): { cert: string, key: string } | undefined {
  if (current.tlsCert === next.tlsCert && current.tlsKey === next.tlsKey) return undefined
  if (current.tlsCert === undefined || next.tlsCert === undefined || next.tlsKey === undefined) throw new Error('switching between HTTP and HTTPS (COILGUN_TLS_CERT set or unset) needs a restart')
  const context = { cert: next.tlsCert, key: next.tlsKey }
  createSecureContext(context)
  return context
}
