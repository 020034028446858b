import { LogController } from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { http2HostFromAuthority } from './http2Host.ts'
import { answerClientError, originFormTarget } from './ownAnswers.ts'
import { requestIdGenerator } from './requestId.ts'

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
