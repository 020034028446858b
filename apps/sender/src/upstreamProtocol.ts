import { Client, Pool } from 'undici'
import type { buildConnector, Dispatcher } from 'undici'

/**
 * COILGUN_UPSTREAM_HTTP2 (issue 17): `auto` offers HTTP/2 by ALPN to an `https://`
 * upstream and uses what it picks; `on` does the same but sizes the page lanes for
 * HTTP/2 from the start (for an upstream known to speak it, such as coilgun-listener
 * with TLS); `off` speaks HTTP/1.1 only. Over `http://` every mode speaks HTTP/1.1,
 * one request per connection (undici speaks no h2c, and pipelining HTTP/1.1 lets one
 * slow page hold up the rest, RFC 9112 section 9.3.2).
 */
export type UpstreamHttp2 = 'on' | 'off' | 'auto'

/** @default 'auto' */
export const DEFAULT_UPSTREAM_HTTP2: UpstreamHttp2 = 'auto'

/** Concurrent streams per HTTP/2 connection (Node's servers allow 100 by default). */
export const HTTP2_STREAMS_PER_CONNECTION = 100

/**
 * Idle time before undici closes an upstream HTTP/1.1 connection when the upstream
 * announces no `Keep-Alive: timeout=` (undici's default is 4 s). An upstream that does
 * announce one is honoured (less undici's 2 s margin), up to
 * UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS: coilgun-listener announces 600 s (issue 17, a
 * warm link).
 * @default 30_000
 */
export const UPSTREAM_KEEP_ALIVE_TIMEOUT_MS = 30_000

/**
 * The longest an upstream's `Keep-Alive: timeout=` hint keeps a connection idle.
 * Matches the listener's LINK_IDLE_TIMEOUT_MS (10 minutes).
 * @default 600_000
 */
export const UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS = 600_000

/**
 * Requests in flight per upstream connection for a mode known before connecting.
 * undici counts HTTP/2 streams with the same setting that pipelines HTTP/1.1 and
 * defaults it to 1: with `on`, up to 100 streams share a connection; with `off`, one
 * request per connection (no HTTP/1.1 pipelining). `auto` over TLS decides per
 * connection (negotiatedPipelining) and starts at 1.
 */
export function upstreamPipelining (mode: UpstreamHttp2 | boolean, origin = 'https:'): number {
  return (mode === 'on' || mode === true) && origin.startsWith('https:') ? HTTP2_STREAMS_PER_CONNECTION : 1
}

/**
 * True when the mode follows ALPN per connection: `auto` or `on` to an `https://`
 * upstream. `on` used to fix 100 requests per connection, which pipelined HTTP/1.1
 * 100 deep when an upstream answered ALPN with http/1.1 or had no TLS.
 */
export function negotiatesProtocol (mode: UpstreamHttp2, origin: string): boolean {
  return mode !== 'off' && origin.startsWith('https:')
}

/**
 * The undici options that choose the upstream's protocol. For `auto` over TLS, each
 * connection offers `h2` and `http/1.1` by ALPN (undici's buildConnector with
 * allowH2; client.js picks its HTTP/2 or HTTP/1.1 code by `socket.alpnProtocol`),
 * and its `pipelining` is set from the answer: 100 streams for h2, 1 for HTTP/1.1.
 * undici 7 reads one `pipelining` for both protocols, so a fixed 100 would pipeline
 * 100 requests on an HTTP/1.1 fallback connection (RFC 9112 section 9.3.2: a server
 * may answer pipelined requests only in order, one slow page holds up the rest).
 * `onProtocol` hears which protocol each new connection speaks.
 */
export function upstreamProtocolOptions (
  mode: UpstreamHttp2,
  origin: string,
  onProtocol?: (h2: boolean) => void
): Pick<Pool.Options, 'allowH2' | 'pipelining' | 'factory'> {
  if (!negotiatesProtocol(mode, origin)) return { allowH2: false, pipelining: 1 }
  return {
    allowH2: true,
    pipelining: 1,
    factory: function negotiatedClient (url: string | URL, options: object): Dispatcher {
      // The pool's own connector (TLS options, connect timeout, ALPN h2 + http/1.1).
      const connector = (options as { connect: buildConnector.connector }).connect
      const client: Client = new Client(url, {
        ...options,
        connect: function alpnConnector (opts, callback) {
          connector(opts, (err, socket) => {
            if (err == null && socket !== null) {
              const h2 = (socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2'
              client.pipelining = h2 ? HTTP2_STREAMS_PER_CONNECTION : 1
              onProtocol?.(h2)
              callback(null, socket)
            } else {
              callback(err ?? new Error('connect failed'), null)
            }
          })
        }
      })
      return client
    }
  }
}

/**
 * undici Agent options for the passthrough path (@fastify/reply-from: bodies,
 * cookies): one pool per upstream origin, with the protocol chosen as on the delta
 * path, and the same keep-alive (undici's 4 s default would close an idle
 * connection to an upstream that announces no Keep-Alive timeout, issue 17).
 */
export function passthroughAgentOptions (mode: UpstreamHttp2): { factory: (origin: string | URL, options: object) => Dispatcher, keepAliveTimeout: number, keepAliveMaxTimeout: number } {
  return {
    keepAliveTimeout: UPSTREAM_KEEP_ALIVE_TIMEOUT_MS,
    keepAliveMaxTimeout: UPSTREAM_KEEP_ALIVE_MAX_TIMEOUT_MS,
    factory: function passthroughPool (origin: string | URL, options: object): Dispatcher {
      return new Pool(origin, { ...options, ...upstreamProtocolOptions(mode, String(origin)) })
    }
  }
}
