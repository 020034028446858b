import { request as httpRequest } from 'node:http'
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { ERR_UPSTREAM_TIMEOUT, INTERNAL_HEADERS } from '@coilgun/core'
import { connectionOptions, isHopByHop } from './hopByHop.ts'
import { answerSocket, originFormTarget, requestTargetVerdict } from './ownAnswers.ts'
import type { OutgoingHeaders } from './proxyHeaders.ts'
import { classifyUpstreamError, isConnectFailure } from './upstreamErrors.ts'

// WebSocket and any other `Upgrade` (RFC 9110 section 7.8, RFC 6455 section 4),
// proxied at the byte level: the visitor's request goes to the upstream with its
// Host, its cookies and fresh forwarding headers; the visitor is told `101` only
// when the upstream said `101`, with the upstream's own handshake headers
// (Sec-WebSocket-Accept...); then bytes flow both ways untouched. An upstream that
// declines gets its answer relayed, and the connection closes (issue 13).

const INTERNAL: ReadonlySet<string> = new Set(INTERNAL_HEADERS)

/** Where one upgrade goes. */
export interface UpgradeRoute {
  /** Upstream base URL, `http://` or `https://`. */
  readonly url: string
  /** The upstream could not be reached (e.g. to take it out of rotation). */
  readonly onConnectFailure?: (() => void) | undefined
}

export interface UpgradeTunnelOptions {
  /** The upstream for this request, or undefined when none serves its Host (a 421). */
  route (req: IncomingMessage): UpgradeRoute | undefined
  /** Headers for the upstream (the visitor's, minus hop-by-hop, plus forwarding); Connection and Upgrade are set here. */
  headers (req: IncomingMessage): OutgoingHeaders
  /** Longest wait for the upstream's answer to the handshake. */
  readonly handshakeTimeoutMs: number
  /** Upstream TLS (PEM); the server certificate is always verified. */
  readonly tls?: { readonly ca?: string | undefined, readonly cert?: string | undefined, readonly key?: string | undefined } | undefined
  readonly log: { warn (obj: object, msg: string): void }
  /** Called once per upgrade: `upgraded`, `declined` (the upstream's non-101 answer relayed) or `error` (502/504 sent). */
  readonly outcome?: ((outcome: 'upgraded' | 'declined' | 'error', kind?: string) => void) | undefined
}

/**
 * The `upgrade` listener of an HTTP server, and the tunnels it opened (closed with
 * the server: `close()` refuses new upgrades with a 503 and ends the open ones).
 */
export class UpgradeTunnels {
  readonly #options: UpgradeTunnelOptions
  readonly #sockets = new Set<Duplex>()
  #closing = false

  constructor (options: UpgradeTunnelOptions) {
    this.#options = options
    this.handle = this.handle.bind(this)
  }

  /** Open tunnels (each counts two sockets, visitor and upstream, once upgraded). */
  get size (): number {
    return this.#sockets.size
  }

  /** The server's `upgrade` event. */
  handle (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyQuietly)
    if (this.#closing) return answerSocket(socket, 503, 'the server is shutting down')
    // RFC 9112 section 3.2: more than one Host is a 400, as for any request.
    let hosts = 0
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++
    if (hosts !== 1) return answerSocket(socket, 400, hosts === 0 ? 'no Host header' : 'more than one Host header')
    // Node hands over the socket right after the head: a body would be read as the
    // new protocol's first bytes (a request smuggled past the upgrade), so an upgrade
    // request that declares one is refused (RFC 9113 section 3.1 drops h2c upgrades).
    const length = req.headers['content-length']
    if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) return answerSocket(socket, 400, 'an upgrade request cannot carry a body')
    const target = originFormTarget(req)
    const verdict = requestTargetVerdict(req.method ?? 'GET', target)
    if (verdict.kind !== 'origin-form') return answerSocket(socket, 400, verdict.kind === 'refused' ? verdict.text : 'an upgrade needs an origin-form request-target')
    const route = this.#options.route(req)
    if (route === undefined) {
      this.#options.outcome?.('error', 'misdirected')
      return answerSocket(socket, 421, `no origin is configured for host "${req.headers.host ?? ''}"`)
    }
    this.#forward(req, socket, head, target, route)
  }

  #forward (req: IncomingMessage, socket: Duplex, head: Buffer, path: string, route: UpgradeRoute): void {
    const url = new URL(route.url)
    const headers = this.#options.headers(req)
    headers.connection = 'upgrade'
    headers.upgrade = req.headers.upgrade ?? ''
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    const secure = url.protocol === 'https:'
    const tls = this.#options.tls
    const options: RequestOptions & { servername?: string, rejectUnauthorized?: boolean, ca?: string, cert?: string, key?: string } = {
      hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      method: req.method ?? 'GET',
      path,
      headers,
      agent: false,
      ...(secure
        ? {
            // The certificate must name the upstream, as on the delta path, not the
            // visitor's Host (Node would take the server name from Host otherwise).
            servername: isIP(hostname) === 0 ? hostname : '',
            rejectUnauthorized: true,
            ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls?.cert === undefined ? {} : { cert: tls.cert, key: tls.key })
          }
        : {})
    }
    const upstream: ClientRequest = (secure ? httpsRequest : httpRequest)(options)
    let settled = false
    const timeoutMs = this.#options.handshakeTimeoutMs
    upstream.setTimeout(timeoutMs, function handshakeTimedOut () { upstream.destroy(new ERR_UPSTREAM_TIMEOUT(String(timeoutMs))) })
    socket.once('close', function visitorLeft () { if (!settled) upstream.destroy() })
    upstream.on('upgrade', (res: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
      settled = true
      if (socket.destroyed) {
        upSocket.destroy()
        return
      }
      this.#joined(socket, upSocket)
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n${headerLines(res)}Connection: Upgrade\r\nUpgrade: ${res.headers.upgrade ?? ''}\r\n\r\n`)
      if (upHead.length > 0) socket.write(upHead)
      if (head.length > 0) upSocket.write(head)
      upSocket.pipe(socket)
      socket.pipe(upSocket)
      this.#options.outcome?.('upgraded')
    })
    upstream.on('response', (res: IncomingMessage) => {
      // The upstream declined (e.g. 403, 426, or a plain 200): relay its answer, then close.
      settled = true
      this.#options.outcome?.('declined')
      upstream.setTimeout(0)
      socket.write(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\n${headerLines(res)}Connection: close\r\n\r\n`)
      res.pipe(socket)
      res.on('error', function upstreamBroke () { socket.destroy() })
    })
    upstream.on('error', (err: Error) => {
      if (settled) return
      settled = true
      if (isConnectFailure(err)) route.onConnectFailure?.()
      const { status, kind } = classifyUpstreamError(err)
      this.#options.outcome?.('error', kind)
      this.#options.log.warn({ err, kind }, 'coilgun: upstream failed an upgrade')
      answerSocket(socket, status, status === 504 ? 'the origin did not answer in time' : 'the origin could not be reached')
    })
    upstream.end()
  }

  #joined (a: Duplex, b: Duplex): void {
    const sockets = this.#sockets
    sockets.add(a)
    sockets.add(b)
    function closeBoth (): void {
      sockets.delete(a)
      sockets.delete(b)
      a.destroy()
      b.destroy()
    }
    a.once('close', closeBoth)
    b.once('close', closeBoth)
    b.on('error', destroyQuietly)
    // The HTTP server's timeouts no longer apply; a WebSocket may idle for long.
    ;(a as { setTimeout?: (ms: number) => void }).setTimeout?.(0)
    ;(b as { setTimeout?: (ms: number) => void }).setTimeout?.(0)
  }

  /** Refuses further upgrades (503) and closes every open tunnel. */
  close (): void {
    this.#closing = true
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
  }
}

/** The upstream's answer headers as lines, minus hop-by-hop, framing the socket no longer uses, and Coilgun's own. */
function headerLines (res: IncomingMessage): string {
  const listed = connectionOptions(res.headers.connection)
  let out = ''
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!
    const lower = name.toLowerCase()
    if (isHopByHop(lower, listed) || INTERNAL.has(lower)) continue
    out += `${name}: ${res.rawHeaders[i + 1]!}\r\n`
  }
  return out
}

function destroyQuietly (this: Duplex): void {
  this.destroy()
}
