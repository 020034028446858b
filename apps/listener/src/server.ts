import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { OriginResponder, resolveOriginOptions } from '@coilgun/core'
import type { VersionStore } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import type { ListenerConfig } from './config.ts'
import { handleListenerRequest } from './listenerHandler.ts'
import type { ListenerContext } from './listenerHandler.ts'
import { ListenerMetrics } from './metrics.ts'
import { registerStatusPage, StatusRecorder } from '@coilgun/status'
import { OriginPools } from './originPools.ts'

export interface ListenerDeps {
  /** Version store to use instead of the embedded one (e.g. Redis); not closed by the listener. */
  store?: VersionStore
  logger?: boolean | object
  /** Interval of the status page's snapshots (default: DEFAULT_STATUS_INTERVAL_MS; tests use less). */
  statusIntervalMs?: number
}

export interface Listener {
  readonly app: FastifyInstance
  readonly admin: FastifyInstance | undefined
  readonly metrics: ListenerMetrics
  readonly responder: OriginResponder
  listen (): Promise<string>
  close (): Promise<void>
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
    logger: deps.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(https === undefined ? {} : { https })
  }) as unknown as FastifyInstance
  // COILGUN_REDIS_URL / _CLUSTER: versions shared by every listener instance (issue 6).
  const redis: RedisVersionStore | undefined = deps.store === undefined && config.redis !== undefined
    ? createRedisVersionStore({ ...config.redis, logger: app.log })
    : undefined
  const store = deps.store ?? redis
  const options = await resolveOriginOptions({
    secret: config.secret,
    codecs: config.codecs,
    storeMaxBytes: config.storeMaxBytes,
    maxBodyBytes: config.maxBodyBytes,
    privatePaths: config.privatePaths,
    privateTtlMs: config.privateTtlMs,
    privateDeltas: config.privateDeltas,
    ...(store === undefined ? {} : { store }),
    ...(config.encodeWorkers === undefined ? {} : { encodeWorkers: config.encodeWorkers })
  })
  const responder = new OriginResponder(options, app.log)
  for (const { name, reason } of options.unavailableCodecs) app.log.info({ codec: name, reason }, 'coilgun-listener: codec unavailable, not offered')
  const pools = new OriginPools(config)
  const metrics = new ListenerMetrics(redis)
  const status = config.adminListen === undefined
    ? undefined
    : new StatusRecorder({
      service: 'coilgun-listener',
      source: metrics.registry,
      intervalMs: deps.statusIntervalMs,
      series: { linkBytes: 'coilgun_listener_sender_bytes_total', pageBytes: ['coilgun_listener_origin_bytes_total'], outcomes: 'coilgun_listener_requests_total', latency: 'coilgun_listener_origin_duration_seconds' }
    })
  const ctx: ListenerContext = Object.freeze({ responder, pools, metrics, status, maxBodyBytes: config.maxBodyBytes, diagnosticHeader: config.diagnosticHeader, originTimeoutMs: config.originTimeoutMs })

  // Request bodies are streamed to the origin, never parsed.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', function passBodyThrough (_request, payload, done) { done(null, payload) })
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    handler: function coilgunListener (request: FastifyRequest, reply: FastifyReply) { return handleListenerRequest(ctx, request, reply) }
  })
  app.addHook('onClose', async function closeListenerResources () {
    await pools.close()
    await responder.close()
    await redis?.close()
    status?.close()
  })

  const admin = config.adminListen === undefined ? undefined : buildListenerAdmin(metrics, status)
  status?.start()
  return {
    app,
    admin,
    metrics,
    responder,
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

function buildListenerAdmin (metrics: ListenerMetrics, status: StatusRecorder | undefined): FastifyInstance {
  const admin = Fastify({ logger: false })
  if (status !== undefined) registerStatusPage(admin, status)
  admin.get('/healthz', async function healthz () { return { status: 'ok' } })
  admin.get('/metrics', async function prometheusMetrics (_request, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return admin
}
