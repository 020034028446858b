import { LogController } from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { http2HostFromAuthority } from './http2Host.ts'
import { answerClientError, answerConnect, answerUnmetExpectation, answerUnsupportedMethod, noStoreWhileClosing, originFormTarget } from './ownAnswers.ts'
import { requestIdGenerator } from './requestId.ts'
import type { ServerDrain } from './serverDrain.ts'
import type { UpgradeTunnels } from './upgradeTunnel.ts'
import type { HostPort } from '@coilgun/core'

/** What buildSender and buildListener return: a running proxy and its admin app. */
export interface ProxyService<Config> {
  readonly app: FastifyInstance
  readonly admin: FastifyInstance | undefined
  /** Requests in flight; `begin()` on close (prompt, honest shutdown, issue 12). */
  readonly drain: ServerDrain
  /** Listens on the configured visitor and admin addresses; returns the visitor URL. */
  listen (): Promise<string>
  close (): Promise<void>
  /** Applies a configuration read again (SIGHUP): files only; throws and keeps the old one when it is invalid. Returns what changed. */
  reload (next: Config): string[]
}

/**
 * The Fastify server options both apps start from: what a reverse proxy needs that
 * Fastify does not do by default. `trustedRequestIds`: take `X-Request-Id` from the
 * client (a trusted hop in front, or the sender) rather than always generating one.
 */
export function proxyServerOptions (trustedRequestIds: boolean): {
  bodyLimit: number
  return503OnClosing: false
  forceCloseConnections: 'idle'
  logController: LogController
  genReqId: ReturnType<typeof requestIdGenerator>
  rewriteUrl: typeof originFormTarget
  clientErrorHandler: typeof answerClientError
} {
  return {
    // Bodies are streamed to the origin, never parsed or buffered here.
    bodyLimit: 1024 * 1024 * 1024,
    // Each app answers 503 itself while closing (Retry-After, no-store; the
    // listener's is marked Coilgun-Closing, issue 12).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Issue 16: one access line per request (accessLog.ts) instead of Fastify's two,
    // with a request id taken from a trusted hop or generated.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdGenerator(trustedRequestIds),
    // Issue 13: absolute-form naming the Host becomes origin-form; errors Node's
    // parser raises are answered short and no-store.
    rewriteUrl: originFormTarget,
    clientErrorHandler: answerClientError
  }
}

/**
 * An `onRequest` hook for servers that speak HTTP/2: RFC 9113 section 8.3.1,
 * `:authority` stands for Host, and everything after this reads Host.
 */
export function http2AsHttp1 (request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (request.raw.httpVersionMajor === 2) http2HostFromAuthority(request.raw.headers)
  done()
}

/**
 * Issue 17, the header diet: over HTTP/2, Node's compatibility API answers every
 * response with `waitForTrailers`, so after the body it writes an empty DATA frame
 * with END_STREAM of its own, in a socket write (a TLS record) of its own: 9 B of
 * frame and 22 B of record per answer. A service that never sends trailers (the
 * listener: nothing it forwards or builds has any) ends the stream with the last
 * DATA frame instead (RFC 9113 section 8.1), which also puts HEADERS and DATA of a
 * small answer in one write. A response that announces trailers (`Trailer`) still
 * waits for them.
 */
export function endStreamWithLastData (request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const stream = (request.raw as { stream?: Http2Respondable }).stream
  if (request.raw.httpVersionMajor === 2 && stream !== undefined) {
    http2Respond ??= (Object.getPrototypeOf(stream) as Http2Respondable).respond
    stream.respond = respondWithoutTrailers
  }
  done()
}

type Http2Respond = (this: Http2Respondable, headers: Record<string, unknown> | undefined, options?: Record<string, unknown>) => void
interface Http2Respondable { respond: Http2Respond }
/** Node's own `ServerHttp2Stream.prototype.respond`, read from the first HTTP/2 stream. */
let http2Respond: Http2Respond | undefined

/** Waits for trailers only when the response announces some (`Trailer`, RFC 9110 section 6.6.2). */
function respondWithoutTrailers (this: Http2Respondable, headers: Record<string, unknown> | undefined, options?: Record<string, unknown>): void {
  http2Respond!.call(this, headers, { ...options, waitForTrailers: headers?.trailer !== undefined })
}

/**
 * A proxy service's `listen` and `close`. `listen` starts the visitor address first,
 * then the active health checks, then the admin address (so /readyz never answers
 * for a proxy that cannot take visitors), and returns the visitor URL; `close` closes
 * both servers.
 */
export function listenAndClose (app: FastifyInstance, admin: FastifyInstance | undefined, config: { listen: HostPort, adminListen: HostPort | undefined }, health: { start (): void }): Pick<ProxyService<unknown>, 'listen' | 'close'> {
  return {
    async listen () {
      const url = await app.listen({ host: config.listen.host, port: config.listen.port })
      health.start()
      if (admin !== undefined && config.adminListen !== undefined) await admin.listen({ host: config.adminListen.host, port: config.adminListen.port })
      return url
    },
    async close () {
      await Promise.all([app.close(), admin?.close()])
    }
  }
}

/**
 * What a proxy answers or tunnels outside its routes (issue 13): `Upgrade` requests
 * through `upgrades` (RFC 9110 section 7.8), unmet expectations (417), `CONNECT`
 * (refused), methods it does not proxy (501), and `no-store` on whatever Node answers
 * while the server closes; the tunnels close with the server.
 */
export function registerProxyAnswers (app: FastifyInstance, upgrades: UpgradeTunnels): void {
  app.server.on('upgrade', upgrades.handle)
  app.server.on('checkExpectation', answerUnmetExpectation)
  app.server.on('connect', answerConnect)
  app.setNotFoundHandler(answerUnsupportedMethod)
  const markClosing = noStoreWhileClosing(app.server)
  app.addHook('preClose', function closeUpgradeTunnels (done) {
    markClosing()
    upgrades.close()
    done()
  })
}
