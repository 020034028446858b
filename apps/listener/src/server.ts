import Fastify from 'fastify'
import type { Dispatcher } from 'undici'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { COILGUN_CLOSING_HEADER, OriginResponder, resolveOriginOptions } from '@coilgun/core'
import { ActiveHealthCheck, answerOwnError, answerRequestTarget, assertUsableCodecs, buildAdmin, endStreamWithLastData, http2AsHttp1, listenAndClose, proxyServerOptions, registerAccessLog, registerProxyAnswers, ServerDrain } from '@coilgun/service'
import type { ProxyService } from '@coilgun/service'
import { listenerReadiness } from './readiness.ts'
import { reloadListener } from './reload.ts'
import type { ReloadableListener } from './reload.ts'
import type { VersionStore } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import type { ListenerConfig } from './config.ts'
import { handleListenerRequest } from './listenerHandler.ts'
import type { ListenerContext } from './listenerHandler.ts'
import { ListenerMetrics } from './metrics.ts'
import { requestNotes } from './requestOutcome.ts'
import { StatusRecorder } from '@coilgun/status'
import { OriginPools } from './originPools.ts'
import { buildListenerUpgrades } from './upgrade.ts'

/** How long an idle sender connection (HTTP/1.1 or HTTP/2) is kept open (issue 17). */
export const LINK_IDLE_TIMEOUT_MS = 600_000

export interface ListenerDeps {
  /** Version store to use instead of the embedded one (e.g. Redis); not closed by the listener. */
  store?: VersionStore
  logger?: boolean | object
  /** Interval of the status page's snapshots (default: DEFAULT_STATUS_INTERVAL_MS; tests use less). */
  statusIntervalMs?: number
  /**
   * undici dispatcher for every origin instead of the listener's own pools (as the
   * sender's `deps.dispatcher`, issue 14); not closed by the listener. Health checks
   * and upgrade tunnels still connect to the origins directly.
   */
  dispatcher?: Dispatcher
}

/** A running listener; `reload` applies the TLS files, the host map and the secrets read again. */
export interface Listener extends ProxyService<ListenerConfig> {
  readonly metrics: ListenerMetrics
  readonly responder: OriginResponder
}

/**
 * coilgun-listener: a reverse proxy in front of one or more origins that answers
 * authenticated senders as docs/PROTOCOL.md says, computing versions from the
 * origins' responses. Optionally HTTPS, optionally requiring client certificates.
 */
export async function buildListener (config: ListenerConfig, deps: ListenerDeps = {}): Promise<Listener> {
  const https = config.tls === undefined
    ? undefined
    : {
        cert: config.tls.cert,
        key: config.tls.key,
        ...(config.tlsClientCa === undefined ? {} : { ca: config.tlsClientCa, requestCert: true, rejectUnauthorized: true })
      }
  const app = Fastify({
    // Request ids come from the sender (its only client on the delta path), or are generated.
    ...proxyServerOptions(true),
    logger: deps.logger ?? { level: config.logLevel },
    // Issue 17: with TLS, senders get HTTP/2 (ALPN h2: many requests as streams on one
    // connection, headers compressed) and HTTP/1.1 clients still work (allowHTTP1).
    ...(https === undefined ? {} : { http2: true, https: { ...https, allowHTTP1: true }, http2SessionTimeout: LINK_IDLE_TIMEOUT_MS } as Record<string, unknown>),
    // Issue 17: a warm link. Senders are few and long-lived; an idle connection is kept
    // 10 minutes (HTTP/1.1 keep-alive, announced in Keep-Alive: timeout=600, which
    // undici honours; HTTP/2 session idle timeout), so the first request after a quiet
    // spell pays no TCP or TLS handshake. Fastify's defaults close both after 72 s.
    keepAliveTimeout: LINK_IDLE_TIMEOUT_MS
  }) as unknown as FastifyInstance
  const drain = new ServerDrain(app.server)
  app.addHook('preClose', function beginDrain (done) { drain.begin(); done() })
  app.addHook('onRequest', refuseWhileClosing.bind(drain))
  // Routing reads Host; over HTTP/2 it comes from `:authority`.
  if (https !== undefined) app.addHook('onRequest', http2AsHttp1)
  if (https !== undefined) app.addHook('onRequest', endStreamWithLastData)
  // COILGUN_REDIS_URL / _CLUSTER: versions shared by every listener instance (issue 6).
  const redis: RedisVersionStore | undefined = deps.store === undefined && config.redis !== undefined
    ? createRedisVersionStore({ ...config.redis, logger: app.log })
    : undefined
  const store = deps.store ?? redis
  const options = await resolveOriginOptions({
    secret: config.secrets,
    codecs: config.codecs,
    storeMaxBytes: config.storeMaxBytes,
    maxBodyBytes: config.maxBodyBytes,
    privatePaths: config.privatePaths,
    privateTtlMs: config.privateTtlMs,
    privateDeltas: config.privateDeltas,
    ...(store === undefined ? {} : { store }),
    ...(config.encodeWorkers === undefined ? {} : { encodeWorkers: config.encodeWorkers })
  })
  if (options.codecs.length === 0) {
    await redis?.close()
    if (options.ownsStore) await options.store.close()
    assertUsableCodecs('COILGUN_CODECS', options.unavailableCodecs.map(c => ({ name: c.name, available: false, unavailableReason: c.reason })))
  }
  const responder = new OriginResponder(options, app.log)
  for (const { name, reason } of options.unavailableCodecs) app.log.info({ codec: name, reason }, 'coilgun-listener: codec unavailable, not offered')
  const pools = new OriginPools(config, deps.dispatcher)
  const metrics = new ListenerMetrics(redis, options.codecs.map(c => c.name))
  registerAccessLog(app, requestNotes, 'ot', function countRequest (outcome, status) { metrics.countRequest(outcome, status) })
  const origins = [...new Set(config.origins.values())]
  const health = new ActiveHealthCheck(origins, {
    ...config.healthCheck,
    timeoutMs: config.connectTimeoutMs,
    onChange: function originHealthChanged (_index, healthy, reason, origin) {
      app.log.warn({ origin, healthy, reason }, healthy ? 'coilgun-listener: origin healthy again' : 'coilgun-listener: origin failed its health check')
    }
  })
  metrics.watchHealth(health, function redisDegraded () { return redis !== undefined && !redis.stats().healthy })
  const status = config.adminListen === undefined
    ? undefined
    : new StatusRecorder({
      service: 'coilgun-listener',
      source: metrics.registry,
      intervalMs: deps.statusIntervalMs,
      series: { linkBytes: 'coilgun_listener_sender_bytes_total', pageBytes: ['coilgun_listener_origin_bytes_total'], outcomes: 'coilgun_listener_requests_total', latency: 'coilgun_listener_origin_duration_seconds' }
    })
  const ctx: ListenerContext = Object.freeze({ responder, pools, metrics, status, maxBodyBytes: config.maxBodyBytes, diagnosticHeader: config.diagnosticHeader, originTimeoutMs: config.originTimeoutMs, trustProxy: config.trustProxy, via: config.via })

  // Request bodies are streamed to the origin, never parsed.
  app.removeAllContentTypeParsers()
  // Issue 13: `OPTIONS *` answered here, other non-origin-form targets a 400;
  // upgrades follow the host map through their own tunnel.
  app.addHook('onRequest', answerRequestTarget)
  app.setErrorHandler(answerOwnError)
  registerProxyAnswers(app, buildListenerUpgrades(config, pools, metrics, app.log))
  app.addContentTypeParser('*', function passBodyThrough (_request, payload, done) { done(null, payload) })
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    handler: function coilgunListener (request: FastifyRequest, reply: FastifyReply) { return handleListenerRequest(ctx, request, reply) }
  })
  app.addHook('onClose', async function closeListenerResources () {
    health.close()
    await pools.close()
    await responder.close()
    await redis?.close()
    status?.close()
  })

  const reloadable: ReloadableListener = { config, server: app.server, pools, responder, health }
  const admin = config.adminListen === undefined ? undefined : buildAdmin(metrics.registry, () => listenerReadiness(health, redis), status)
  status?.start()
  return {
    app,
    admin,
    metrics,
    responder,
    drain,
    ...listenAndClose(app, admin, config, health),
    reload (next: ListenerConfig) {
      return reloadListener(reloadable, next)
    }
  }
}

/**
 * While shutting down, a new request gets a 503 marked with Coilgun-Closing: the
 * sender retries a GET on another listener only for that mark, never for an
 * application's own 503 (issue 12, item 6).
 */
function refuseWhileClosing (this: ServerDrain, _request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!this.draining) { done(); return }
  reply.code(503).header(COILGUN_CLOSING_HEADER, '1').header('retry-after', '1').header('cache-control', 'no-store')
    .header('connection', 'close').header('content-type', 'text/plain; charset=utf-8').send('Service Unavailable: this listener is shutting down\n')
}
