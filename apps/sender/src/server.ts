import type { Server as TlsServer } from 'node:tls'
import Fastify from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import httpProxy from '@fastify/http-proxy'
import { Agent } from 'undici'
import type { Dispatcher } from 'undici'
import { COILGUN_CLOSING_HEADER, loadCodecs, resolvePrivacy } from '@coilgun/core'
import { ActiveHealthCheck, answerOwnError, answerRequestTarget, assertUsableCodecs, buildAdmin, classifyUpstreamError, http2AsHttp1, isConnectFailure, listenAndClose, OWN_ERROR_HEADERS, proxyServerOptions, registerAccessLog, registerProxyAnswers, REQUEST_ID_HEADER, ServerDrain, upstreamRequestHeaders, viaEntry, visitorResponseHeaders } from '@coilgun/service'
import type { ProxyService } from '@coilgun/service'
import { senderReadiness } from './readiness.ts'
import { requestNotes } from './requestOutcome.ts'
import { SecretRecognition } from './secretRecognition.ts'
import type { SenderConfig } from './config.ts'
import { handleDeltaGet } from './deltaHandler.ts'
import type { DeltaContext } from './deltaHandler.ts'
import { DeltaOffers } from './deltaOffers.ts'
import { buildSenderUpgrades } from './upgrade.ts'
import { SenderMetrics } from './metrics.ts'
import { UNHEALTHY_PROBE_INTERVAL_MS, UpstreamPools } from './upstreamPool.ts'
import { passthroughAgentOptions } from './upstreamProtocol.ts'
import { VersionCache } from './versionCache.ts'
import { DiagnosticGate } from './diagnostic.ts'
import { VisitorBases } from './visitorBases.ts'
import { refuseInvalidHost } from './visitorHost.ts'
import { VisitorCompression } from './visitorCompression.ts'
import { VisitorDictionaries } from './visitorDictionaries.ts'
import { StatusRecorder } from '@coilgun/status'
import { visitorTlsOptions, visitorTlsReload } from './visitorTls.ts'
import { UpstreamErrorLog } from './upstreamErrorLog.ts'
import { UpstreamTlsMaterial, upstreamTlsChanges } from './upstreamTlsReload.ts'
import { armSendTimeout, VISITOR_TIMEOUT_CHECK_INTERVAL_MS } from './visitorTimeouts.ts'

/**
 * Time a visitor has to send a whole request, body included. Fastify's default, 0,
 * never gives up on a body sent a byte at a time; this is Node's own default.
 */
export const VISITOR_REQUEST_TIMEOUT_MS = 300_000

export interface SenderDeps {
  /** Dispatcher to use for every upstream instead of the pools built from config (tests). */
  dispatcher?: Dispatcher
  /** Interval of the status page's snapshots (default: DEFAULT_STATUS_INTERVAL_MS; tests use less). */
  statusIntervalMs?: number
  /** Fastify logger option (default: pino at config.logLevel). */
  logger?: boolean | object
}

/**
 * A running sender; `reload` applies the secret (COILGUN_SECRET_FILE), the
 * visitor-facing TLS certificate and key, and the upstream CA and client certificate
 * (upstreamTlsReload.ts) read again.
 */
export interface Sender extends ProxyService<SenderConfig> {
  readonly cache: VersionCache
  readonly metrics: SenderMetrics
}

/**
 * Builds the sender: one Fastify app where every GET/HEAD goes through the delta
 * path and everything else (bodies, WebSockets) is streamed by @fastify/http-proxy.
 */
export async function buildSender (config: SenderConfig, deps: SenderDeps = {}): Promise<Sender> {
  const app = Fastify({
    // Issue 18: HTTPS for visitors with ALPN h2 and http/1.1 (browsers only send
    // Available-Dictionary in a secure context other than localhost).
    ...visitorTlsOptions(config),
    // Request ids are taken from a trusted proxy in front, or generated.
    ...proxyServerOptions(config.trustProxy),
    logger: deps.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
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
  // Issue 13: `OPTIONS *` answered here, other non-origin-form targets a 400.
  app.addHook('onRequest', answerRequestTarget)
  app.setErrorHandler(answerOwnError)
  // RFC 9112 section 3.2: a request with more than one Host is a 400. A proxy in
  // front that routes or filters by the other one would disagree with the sender
  // about which site the request is for (issue 8).
  if (config.tlsCert !== undefined) app.addHook('onRequest', http2AsHttp1)
  app.addHook('onRequest', function refuseAmbiguousHost (request, reply, done) {
    const raw = request.raw.rawHeaders
    let hosts = 0
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++
    if (hosts > 1) {
      reply.code(400).header('connection', 'close').headers(OWN_ERROR_HEADERS).send('Bad Request: more than one Host header\n')
      return
    }
    done()
  })
  app.addHook('onRequest', refuseInvalidHost)
  const codecs = await loadCodecs(config.codecs)
  assertUsableCodecs('COILGUN_CODECS', codecs.values())
  for (const c of codecs.values()) if (!c.available) app.log.info({ codec: c.name, reason: c.unavailableReason }, 'coilgun: codec unavailable, not offered')
  // Issue 16: the upstream CA and client certificate are reloaded on SIGHUP; every
  // upstream connection (pools, passthrough, health checks, upgrades) reads them here.
  const upstreamTls = new UpstreamTlsMaterial(config)
  const cache = new VersionCache(config.cacheMaxBytes)
  const metrics = new SenderMetrics(cache, [...codecs.values()].filter(c => c.available).map(c => c.name))
  registerAccessLog(app, requestNotes, 'ut', function countRequest (outcome, status) { metrics.countRequest(outcome, status) })
  // Active health checks (issue 16) drive /readyz and the rotation: an upstream that
  // fails its probes, or a real request (pools.markDown), is out until it answers.
  const health = new ActiveHealthCheck(config.upstreams, {
    ...config.healthCheck,
    unhealthyIntervalMs: Math.min(config.healthCheck.intervalMs, UNHEALTHY_PROBE_INTERVAL_MS),
    timeoutMs: config.connectTimeoutMs,
    tls: upstreamTls,
    onChange: function upstreamHealthChanged (index, healthy, reason) {
      app.log.warn({ upstream: config.upstreams[index], healthy, reason }, healthy ? 'coilgun: upstream healthy again' : 'coilgun: upstream failed its health check')
    }
  })
  const pools = new UpstreamPools(config, health, deps.dispatcher, upstreamTls)
  metrics.watchUpstreams(health)
  const compression = new VisitorCompression(Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, config.cacheMaxBytes >> 2)))
  const status = config.adminListen === undefined
    ? undefined
    : new StatusRecorder({
      service: 'coilgun-sender',
      source: metrics.registry,
      intervalMs: deps.statusIntervalMs,
      series: { linkBytes: 'coilgun_upstream_bytes_total', pageBytes: ['coilgun_upstream_bytes_total', 'coilgun_bytes_saved_total'], outcomes: 'coilgun_requests_total', codecs: 'coilgun_delta_answers_total', latency: 'coilgun_upstream_duration_seconds', cacheBytes: 'coilgun_cache_bytes', cacheEntries: 'coilgun_cache_entries', verificationFailures: 'coilgun_verification_failures_total' }
    })
  // The secret can change on SIGHUP (a rotated COILGUN_SECRET_FILE, issue 16); the
  // delta path reads it from here.
  let running = config
  const ctx: DeltaContext = Object.freeze({
    get config () { return running },
    pools,
    cache,
    codecs,
    offers: new DeltaOffers([...codecs.values()].filter(c => c.available)),
    metrics,
    compression,
    bases: new VisitorBases({ privacy: resolvePrivacy({ privatePaths: config.privatePaths }), sessionCookies: config.sessionCookies, privateDeltas: config.privateDeltas }),
    diagnostic: new DiagnosticGate(config.diagnosticHeader, config.diagnosticToken),
    status,
    dictionaries: config.visitorDictionaries ? new VisitorDictionaries(cache, { staleWhileRevalidateSeconds: config.visitorDictionarySwrSeconds }) : undefined,
    log: app.log,
    recognition: new SecretRecognition(config.upstreams, app.log),
    errorLog: new UpstreamErrorLog(),
    health
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
          undici: upstreamTls.dispatcher(tls => new Agent({
            connections: config.upstreamConnections,
            // Issue 17: HTTP/2 by ALPN with COILGUN_UPSTREAM_HTTP2=auto, warm keep-alive.
            ...passthroughAgentOptions(config.upstreamHttp2),
            headersTimeout: config.upstreamTimeoutMs,
            bodyTimeout: config.upstreamTimeoutMs,
            connect: {
              timeout: config.connectTimeoutMs,
              // @fastify/reply-from defaults its agent to rejectUnauthorized: false;
              // passthrough requests (bodies, cookies) must verify the upstream's
              // certificate like the delta path does (issue 8).
              rejectUnauthorized: true,
              ...tls
            }
          })) as never
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
        out[REQUEST_ID_HEADER] = request.id
        if (headers['content-length'] !== undefined) out['content-length'] = headers['content-length']
        return out
      },
      rewriteHeaders: function passthroughResponseHeaders (headers, request) {
        const out = visitorResponseHeaders(headers as Record<string, string | string[] | undefined>, false)
        if (request !== undefined) {
          requestNotes.set(request.raw, { outcome: 'passthrough' })
          const index = upstreamOf.get(request.raw)
          if (index !== undefined && headers[COILGUN_CLOSING_HEADER] === undefined) health.answered(index)
        }
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
        if (index !== undefined && isConnectFailure(error)) pools.markDown(index, kind)
        metrics.upstreamErrors.inc({ kind })
        requestNotes.set(reply.request.raw, { outcome: 'error', why: kind })
        reply.code(status).headers(OWN_ERROR_HEADERS).send(status === 504 ? 'Gateway Timeout: the origin did not answer in time\n' : 'Bad Gateway: the origin could not be reached\n')
      }
    }
  })

  registerProxyAnswers(app, buildSenderUpgrades(config, pools, metrics, app.log, upstreamTls))

  const admin = config.adminListen === undefined ? undefined : buildAdmin(metrics.registry, () => senderReadiness(health), status)
  status?.start()

  app.addHook('onClose', async function closeSenderResources () {
    health.close()
    await pools.close()
    status?.close()
    cache.clear()
    compression.clear()
  })

  return {
    app,
    admin,
    cache,
    metrics,
    drain,
    ...listenAndClose(app, admin, config, health),
    reload (next: SenderConfig) {
      // Everything is validated before anything is applied: a key that does not
      // match its certificate throws here and leaves the running configuration.
      const tls = visitorTlsReload(running, next)
      const upstreamChanges = upstreamTlsChanges(running, next)
      const changes: string[] = []
      if (tls !== undefined) {
        (app.server as unknown as TlsServer).setSecureContext(tls)
        changes.push('TLS certificate and key')
      }
      if (upstreamChanges.length > 0) {
        upstreamTls.apply(next)
        changes.push(...upstreamChanges)
      }
      if (next.secret !== running.secret) changes.push('secret')
      running = Object.freeze({ ...running, secret: next.secret, tlsCert: next.tlsCert, tlsKey: next.tlsKey, upstreamCa: upstreamTls.ca, upstreamCert: upstreamTls.cert, upstreamKey: upstreamTls.key })
      return changes
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
