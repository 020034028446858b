import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import httpProxy from '@fastify/http-proxy'
import type { Dispatcher } from 'undici'
import { loadCodecs } from '@coilgun/core'
import { buildAdmin } from './admin.ts'
import type { SenderConfig } from './config.ts'
import { handleDeltaGet } from './deltaHandler.ts'
import type { DeltaContext } from './deltaHandler.ts'
import { upstreamRequestHeaders, visitorResponseHeaders } from '@coilgun/core'
import { answerClientError, answerConnect, answerOwnError, answerRequestTarget, answerUnmetExpectation, answerUnsupportedMethod, noStoreWhileClosing, originFormTarget, OWN_ERROR_HEADERS, viaEntry } from '@coilgun/core'
import { buildSenderUpgrades } from './upgrade.ts'
import { SenderMetrics } from './metrics.ts'
import { classifyUpstreamError, isConnectFailure } from '@coilgun/core'
import { UpstreamPools, upstreamPipelining } from './upstreamPool.ts'
import { VersionCache } from './versionCache.ts'
import { VisitorCompression } from './visitorCompression.ts'

/**
 * Time a visitor has to send its request headers. Node's default is 60 s; a
 * slowloris visitor holds a socket that long per attempt (issue 8).
 */
export const VISITOR_HEADERS_TIMEOUT_MS = 20_000
/**
 * Time a visitor has to send a whole request, body included. Fastify's default, 0,
 * never gives up on a body sent a byte at a time; this is Node's own default.
 */
export const VISITOR_REQUEST_TIMEOUT_MS = 300_000

export interface SenderDeps {
  /** Dispatcher to use for every upstream instead of the pools built from config (tests). */
  dispatcher?: Dispatcher
  /** Fastify logger option (default: pino at config.logLevel). */
  logger?: boolean | object
}

export interface Sender {
  readonly app: FastifyInstance
  readonly admin: FastifyInstance | undefined
  readonly cache: VersionCache
  readonly metrics: SenderMetrics
  /** Listens on config.listen / config.adminListen; returns the visitor URL. */
  listen (): Promise<string>
  close (): Promise<void>
}

/**
 * Builds the sender: one Fastify app where every GET/HEAD goes through the delta
 * path and everything else (bodies, WebSockets) is streamed by @fastify/http-proxy.
 */
export async function buildSender (config: SenderConfig, deps: SenderDeps = {}): Promise<Sender> {
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Bodies are streamed to the origin, never parsed or buffered here.
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: VISITOR_REQUEST_TIMEOUT_MS,
    // Issue 13: absolute-form naming the Host becomes origin-form; errors Node's
    // parser raises are answered short and no-store.
    rewriteUrl: originFormTarget,
    clientErrorHandler: answerClientError
  })
  app.server.headersTimeout = VISITOR_HEADERS_TIMEOUT_MS
  // Issue 13: `OPTIONS *` answered here, other non-origin-form targets a 400.
  app.addHook('onRequest', answerRequestTarget)
  app.setErrorHandler(answerOwnError)
  // RFC 9112 section 3.2: a request with more than one Host is a 400. A proxy in
  // front that routes or filters by the other one would disagree with the sender
  // about which site the request is for (issue 8).
  app.addHook('onRequest', function refuseAmbiguousHost (request, reply, done) {
    const raw = request.raw.rawHeaders
    let hosts = 0
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++
    if (hosts > 1) {
      reply.code(400).header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send('Bad Request: more than one Host header\n')
      return
    }
    done()
  })
  const codecs = await loadCodecs(config.codecs)
  for (const c of codecs.values()) if (!c.available) app.log.info({ codec: c.name, reason: c.unavailableReason }, 'coilgun: codec unavailable, not offered')
  const pools = new UpstreamPools(config, deps.dispatcher)
  const cache = new VersionCache(config.cacheMaxBytes)
  const metrics = new SenderMetrics(cache)
  const compression = new VisitorCompression(Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, config.cacheMaxBytes >> 2)))
  const ctx: DeltaContext = Object.freeze({
    config,
    pools,
    cache,
    codecs,
    codecList: [...codecs.values()].filter(c => c.available),
    metrics,
    compression,
    log: app.log
  })

  /** Which upstream each passthrough request went to (for marking it down on failure). */
  const upstreamOf = new WeakMap<object, number>()
  await app.register(httpProxy, {
    // No fixed base: reply-from would pin every request to it; getUpstream chooses.
    upstream: '',
    // Upgrades are tunnelled by buildSenderUpgrades (issue 13), not here.
    websocket: false,
    preHandler: function coilgunDeltaPath (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
      const method = request.method
      if ((method !== 'GET' && method !== 'HEAD') || request.headers.upgrade !== undefined) { done(); return }
      // The delta path always answers (Fastify: a hook that sends does not call done).
      handleDeltaGet(ctx, request, reply).catch(done)
    },
    ...(deps.dispatcher === undefined
      ? {
          undici: {
            connections: config.upstreamConnections,
            pipelining: upstreamPipelining(config.upstreamHttp2),
            allowH2: config.upstreamHttp2,
            headersTimeout: config.upstreamTimeoutMs,
            bodyTimeout: config.upstreamTimeoutMs,
            connect: {
              timeout: config.connectTimeoutMs,
              // @fastify/reply-from defaults its agent to rejectUnauthorized: false;
              // passthrough requests (bodies, cookies) must verify the upstream's
              // certificate like the delta path does (issue 8).
              rejectUnauthorized: true,
              ...(config.upstreamCa === undefined ? {} : { ca: config.upstreamCa }),
              ...(config.upstreamCert === undefined ? {} : { cert: config.upstreamCert, key: config.upstreamKey })
            }
          }
        }
      : { undici: deps.dispatcher as never }),
    replyOptions: {
      // Bodies and WebSockets go to an upstream in rotation; a connect failure takes
      // it out (a body cannot be replayed, so that one request gets a 502).
      getUpstream: function passthroughUpstream (request) {
        const index = pools.pick()
        upstreamOf.set(request.raw, index)
        return pools.origin(index)
      },
      rewriteRequestHeaders: function passthroughRequestHeaders (request, headers) {
        const out = upstreamRequestHeaders(request.headers, { ip: request.raw.socket.remoteAddress ?? request.ip, proto: request.protocol as 'http' | 'https', host: request.headers.host, via: config.via === undefined ? undefined : viaEntry(request.raw.httpVersion, config.via) }, config.trustProxy, false)
        // The origin routes by the visitor's Host (virtual hosts, the listener's map).
        if (request.headers.host !== undefined) out.host = request.headers.host
        if (headers['content-length'] !== undefined) out['content-length'] = headers['content-length']
        return out
      },
      rewriteHeaders: function passthroughResponseHeaders (headers) {
        const out = visitorResponseHeaders(headers as Record<string, string | string[] | undefined>, false)
        metrics.requests.inc({ outcome: 'passthrough' })
        return out
      },
      onError: function passthroughError (reply, { error }) {
        const { status, kind } = classifyUpstreamError(error)
        const index = upstreamOf.get(reply.request.raw)
        if (index !== undefined && isConnectFailure(error)) pools.markDown(index)
        metrics.upstreamErrors.inc({ kind })
        metrics.requests.inc({ outcome: 'error' })
        reply.code(status).headers(OWN_ERROR_HEADERS).send(status === 504 ? 'Gateway Timeout: the origin did not answer in time\n' : 'Bad Gateway: the origin could not be reached\n')
      }
    }
  })

  const upgrades = buildSenderUpgrades(config, pools, metrics, app.log)
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

  const admin = config.adminListen === undefined ? undefined : buildAdmin(metrics, () => pools.size > 0)

  app.addHook('onClose', async function closeSenderResources () {
    await pools.close()
    cache.clear()
    compression.clear()
  })

  return {
    app,
    admin,
    cache,
    metrics,
    async listen () {
      const url = await app.listen({ host: config.listen.host, port: config.listen.port })
      if (admin !== undefined && config.adminListen !== undefined) await admin.listen({ host: config.adminListen.host, port: config.adminListen.port })
      return url
    },
    async close () {
      await Promise.all([app.close(), admin?.close()])
    }
  }
}
