import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

// Answers the sender and the listener generate themselves, not the origin: errors
// (400, 421, 502, 503, 504...) and the answer to `OPTIONS *`. Each is short, plain
// text and `Cache-Control: no-store`, so no cache between the visitor and Coilgun
// keeps a momentary failure in place of the page (issue 13).

/** Headers on every error Coilgun generates. */
export const OWN_ERROR_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-store'
})

/** Methods the sender and the listener pass on (the `Allow` of `OPTIONS *`). */
export const PROXIED_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  421: 'Misdirected Request',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

/** A whole HTTP/1.1 error response as bytes, for a socket that has no ServerResponse (client errors, upgrades). */
export function rawErrorResponse (status: number, text: string): string {
  const body = `${REASONS[status] ?? 'Error'}: ${text}\n`
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: ${OWN_ERROR_HEADERS['content-type']}\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

/** Writes an error response on a raw socket and closes it. */
export function answerSocket (socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(rawErrorResponse(status, text))
  else socket.destroy()
}

/**
 * Fastify `clientErrorHandler`: a request Node's parser refused (bad framing, huge
 * headers, too slow) gets Fastify's status codes, but as a short no-store text.
 */
export function answerClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  if (socket.writable) socket.write(rawErrorResponse(status, status === 408 ? 'the request took too long' : status === 431 ? 'the request headers are too large' : 'the request is malformed'))
  socket.destroy()
}

/**
 * Fastify `rewriteUrl`: an absolute-form request-target naming the Host the request
 * carries becomes origin-form (RFC 9112 section 3.2.2: a server must accept
 * absolute-form, and the target's authority wins over Host; when they agree there
 * is nothing to choose). Any other target is left for `requestTargetProblem`.
 */
export function originFormTarget (req: { url?: string | undefined, headers: { host?: string | undefined } }): string {
  const url = req.url ?? '/'
  if (url.startsWith('/') || !/^https?:\/\//i.test(url)) return url
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url
  }
  const host = req.headers.host?.trim().toLowerCase()
  if (host === undefined || parsed.username !== '' || parsed.password !== '') return url
  // URL drops a default port; so does the comparison, on both sides.
  const port = parsed.protocol === 'https:' ? ':443' : ':80'
  const bare = host.endsWith(port) ? host.slice(0, -port.length) : host
  if (parsed.host !== bare) return url
  return `${parsed.pathname}${parsed.search}`
}

export type TargetVerdict =
  | { readonly kind: 'origin-form' }
  | { readonly kind: 'asterisk' }
  | { readonly kind: 'refused', readonly text: string }

/**
 * What to do with a request-target (after `originFormTarget`): origin-form goes
 * on; `OPTIONS *` is answered here, for the server as a whole (RFC 9110 section
 * 9.3.7), since undici can only send origin-form; anything else (`GET *`,
 * absolute-form naming another host than Host, authority-form) is a 400: the
 * sender would otherwise forward to one site what names another (issue 13).
 */
export function requestTargetVerdict (method: string, url: string): TargetVerdict {
  if (url.startsWith('/')) return { kind: 'origin-form' }
  if (url === '*' && method === 'OPTIONS') return { kind: 'asterisk' }
  if (url === '*') return { kind: 'refused', text: `the asterisk request-target is only for OPTIONS, not ${method}` }
  if (/^https?:\/\//i.test(url)) return { kind: 'refused', text: 'an absolute-form request-target must name the host in Host' }
  return { kind: 'refused', text: 'the request-target must start with "/"' }
}

/** The headers of the answer to `OPTIONS *`: what every resource here may accept. */
export const ASTERISK_OPTIONS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  allow: PROXIED_METHODS.join(', '),
  'content-length': '0',
  'cache-control': 'no-store'
})

/** The parts of a Fastify request and reply the hooks below use (core has no Fastify dependency). */
interface RequestLike { readonly method: string, readonly raw: { readonly url?: string | undefined } }
interface ReplyLike {
  readonly sent: boolean
  code (status: number): ReplyLike
  header (name: string, value: string): ReplyLike
  headers (values: Record<string, string>): ReplyLike
  send (payload?: unknown): ReplyLike
}

/** Fastify `onRequest` hook applying `requestTargetVerdict`; wire it before any other. */
export function answerRequestTarget (request: RequestLike, reply: ReplyLike, done: () => void): void {
  const verdict = requestTargetVerdict(request.method, request.raw.url ?? '/')
  if (verdict.kind === 'origin-form') {
    done()
    return
  }
  if (verdict.kind === 'asterisk') {
    reply.code(200).headers(ASTERISK_OPTIONS_HEADERS).send()
    return
  }
  reply.code(400).headers(OWN_ERROR_HEADERS).header('connection', 'close').send(`Bad Request: ${verdict.text}\n`)
}

/** Fastify error handler: an error raised before the proxying code answered (body too large...), as a short no-store text. */
export function answerOwnError (err: { statusCode?: number }, _request: unknown, reply: ReplyLike): void {
  if (reply.sent) return
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
  reply.code(status).headers(OWN_ERROR_HEADERS).send(status < 500 ? 'The request could not be handled\n' : 'Internal Server Error\n')
}

/**
 * Fastify answers requests that arrive while it closes with its own 503
 * (return503OnClosing), written straight to the response. This `request` listener
 * runs before Fastify's and, once the returned function was called (from a
 * `preClose` hook), marks every answer `Cache-Control: no-store`, so a cache in
 * front does not keep that 503 in place of the page (issue 13).
 */
export function noStoreWhileClosing (server: { prependListener (event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown }): () => void {
  let closing = false
  server.prependListener('request', function noStoreOnClosing (_req, res) {
    if (closing) res.setHeader('cache-control', 'no-store')
  })
  return function markClosing () { closing = true }
}

/**
 * The server's `checkExpectation` event: an `Expect` other than `100-continue` is
 * answered `417` (RFC 9110 section 10.1.1), as Node would, but short and no-store.
 */
export function answerUnmetExpectation (_req: IncomingMessage, res: ServerResponse): void {
  const body = 'Expectation Failed: only 100-continue is supported\n'
  res.writeHead(417, { ...OWN_ERROR_HEADERS, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
  res.end(body)
}

/**
 * Fastify not-found handler. Every path is routed for the proxied methods, so only
 * another method (TRACE, PROPFIND, ...) ends here: `405` with `Allow` (RFC 9110
 * section 15.5.6), short and no-store, instead of Fastify's JSON 404 (issue 13).
 */
export function answerUnsupportedMethod (request: RequestLike, reply: ReplyLike): void {
  reply.code(405).headers({ ...OWN_ERROR_HEADERS, allow: PROXIED_METHODS.join(', ') }).send(`Method Not Allowed: ${request.method} is not passed on\n`)
}

/**
 * The server's `connect` event: a CONNECT request-target is authority-form, which a
 * reverse proxy does not serve (RFC 9112 section 3.2.3); a 400 instead of Node's
 * silent close.
 */
export function answerConnect (_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', function ignoreSocketError () { socket.destroy() })
  answerSocket(socket, 400, 'CONNECT is not served here')
}
