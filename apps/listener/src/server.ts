import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { COILGUN_CLOSING_HEADER, OriginResponder, ServerDrain, resolveOriginOptions } from '@coilgun/core'
import type { VersionStore } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import type { ListenerConfig } from './config.ts'
import { handleListenerRequest } from './listenerHandler.ts'
import type { ListenerContext } from './listenerHandler.ts'
import { ListenerMetrics } from './metrics.ts'
import { OriginPools } from './originPools.ts'

export interface ListenerDeps {
  /** Version store to use instead of the embedded one (e.g. Redis); not closed by the listener. */
  store?: VersionStore
  logger?: boolean | object
}

export interface Listener {
  readonly app: FastifyInstance
  readonly admin: FastifyInstance | undefined
  readonly metrics: ListenerMetrics
  readonly responder: OriginResponder
  /** Requests in flight; `begin()` on close (prompt, honest shutdown, issue 12). */
  readonly drain: ServerDrain
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
    // Our own 503 while closing (below), which marks itself as the listener's.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ...(https === undefined ? {} : { https })
  }) as unknown as FastifyInstance
  const drain = new ServerDrain(app.server)
  app.addHook('preClose', function beginDrain (done) { drain.begin(); done() })
  app.addHook('onRequest', refuseWhileClosing.bind(drain))
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
    ...(store === undefined ? {} : { store }),
    ...(config.encodeWorkers === undefined ? {} : { encodeWorkers: config.encodeWorkers })
  })
  const responder = new OriginResponder(options, app.log)
  for (const { name, reason } of options.unavailableCodecs) app.log.info({ codec: name, reason }, 'coilgun-listener: codec unavailable, not offered')
  const pools = new OriginPools(config)
  const metrics = new ListenerMetrics(redis)
  const ctx: ListenerContext = Object.freeze({ responder, pools, metrics, maxBodyBytes: config.maxBodyBytes, diagnosticHeader: config.diagnosticHeader, originTimeoutMs: config.originTimeoutMs })

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
  })

  const admin = config.adminListen === undefined ? undefined : buildListenerAdmin(metrics)
  return {
    app,
    admin,
    metrics,
    responder,
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

function buildListenerAdmin (metrics: ListenerMetrics): FastifyInstance {
  const admin = Fastify({ logger: false })
  admin.get('/healthz', async function healthz () { return { status: 'ok' } })
  admin.get('/metrics', async function prometheusMetrics (_request, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return admin
}
