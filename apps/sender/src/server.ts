import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import httpProxy from '@fastify/http-proxy'
import type { Dispatcher } from 'undici'
import { loadCodecs, ServerDrain } from '@coilgun/core'
import { buildAdmin } from './admin.ts'
import type { SenderConfig } from './config.ts'
import { handleDeltaGet } from './deltaHandler.ts'
import type { DeltaContext } from './deltaHandler.ts'
import { upstreamRequestHeaders, visitorResponseHeaders } from '@coilgun/core'
import { SenderMetrics } from './metrics.ts'
import { classifyUpstreamError, isConnectFailure } from '@coilgun/core'
import { UpstreamPools, upstreamPipelining } from './upstreamPool.ts'
import { VersionCache } from './versionCache.ts'
import { VisitorCompression } from './visitorCompression.ts'
import { UpstreamErrorLog } from './upstreamErrorLog.ts'
import { armSendTimeout, VISITOR_TIMEOUT_CHECK_INTERVAL_MS } from './visitorTimeouts.ts'
import { DEFAULT_VISITOR_HEADERS_TIMEOUT_MS } from './config.ts'

/**
 * Time a visitor has to send its request headers. Node's default is 60 s; a
 * slowloris visitor holds a socket that long per attempt (issue 8).
 * COILGUN_VISITOR_HEADERS_TIMEOUT_MS sets it (issue 12).
 */
export const VISITOR_HEADERS_TIMEOUT_MS = DEFAULT_VISITOR_HEADERS_TIMEOUT_MS
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
  /** Visitor requests in flight; `begin()` on close (prompt, honest shutdown, issue 12). */
  readonly drain: ServerDrain
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
    // Our own 503 while closing (refuseWhileClosing): Retry-After and no-store.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout: VISITOR_REQUEST_TIMEOUT_MS,
    // Node enforces headersTimeout and requestTimeout on this tick (30 s by
    // default): a slowloris visitor lived up to 30 s past its 20 s (issue 12).
    http: { connectionsCheckingInterval: VISITOR_TIMEOUT_CHECK_INTERVAL_MS }
  })
  app.server.headersTimeout = config.visitorHeadersTimeoutMs
  // A visitor that stops reading its answer is cut (nginx send_timeout, issue 12).
  app.addHook('onSend', armSendTimeout(config.visitorSendTimeoutMs))
  const drain = new ServerDrain(app.server)
  app.addHook('preClose', function beginDrain (done) { drain.begin(); done() })
  app.addHook('onRequest', refuseWhileClosing.bind(drain))
  // RFC 9112 section 3.2: a request with more than one Host is a 400. A proxy in
  // front that routes or filters by the other one would disagree with the sender
  // about which site the request is for (issue 8).
  app.addHook('onRequest', function refuseAmbiguousHost (request, reply, done) {
    const raw = request.raw.rawHeaders
    let hosts = 0
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++
    if (hosts > 1) {
      reply.code(400).header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').send('Bad Request: more than one Host header\n')
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
    log: app.log,
    errorLog: new UpstreamErrorLog()
  })

  /** Which upstream each passthrough request went to (for marking it down on failure). */
  const upstreamOf = new WeakMap<object, number>()
  await app.register(httpProxy, {
    // No fixed base: reply-from would pin every request to it; getUpstream chooses.
    upstream: '',
    websocket: true,
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
        const out = upstreamRequestHeaders(request.headers, { ip: request.ip, proto: request.protocol as 'http' | 'https', host: request.headers.host }, config.trustProxy, false)
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
        if (visitorGone(reply)) {
          // The visitor left: not an upstream failure (issue 12, item 5).
          metrics.visitorAborts.inc()
          reply.log.debug('coilgun: visitor closed the connection before the answer was complete')
          return
        }
        const { status, kind } = classifyUpstreamError(error)
        const index = upstreamOf.get(reply.request.raw)
        if (index !== undefined && isConnectFailure(error)) pools.markDown(index)
        metrics.upstreamErrors.inc({ kind })
        metrics.requests.inc({ outcome: 'error' })
        reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(status === 504 ? 'Gateway Timeout: the origin did not answer in time\n' : 'Bad Gateway: the origin could not be reached\n')
      }
    }
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
    drain,
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

/** A request that still arrives while the sender shuts down: an honest, uncacheable 503 (issue 12). */
function refuseWhileClosing (this: ServerDrain, _request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!this.draining) { done(); return }
  reply.code(503).header('retry-after', '1').header('cache-control', 'no-store').header('connection', 'close')
    .header('content-type', 'text/plain; charset=utf-8').send('Service Unavailable: this server is shutting down\n')
}

/** True when the visitor's connection is gone (its answer can no longer be written). */
function visitorGone (reply: { raw: { writableFinished: boolean, destroyed: boolean, socket: { destroyed: boolean } | null } }): boolean {
  const res = reply.raw
  return !res.writableFinished && (res.destroyed || res.socket?.destroyed === true)
}
