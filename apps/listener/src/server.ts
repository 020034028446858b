import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { answerClientError, answerConnect, answerOwnError, answerRequestTarget, answerUnmetExpectation, answerUnsupportedMethod, noStoreWhileClosing, originFormTarget, OriginResponder, resolveOriginOptions } from '@coilgun/core'
import type { VersionStore } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import type { ListenerConfig } from './config.ts'
import { handleListenerRequest } from './listenerHandler.ts'
import type { ListenerContext } from './listenerHandler.ts'
import { ListenerMetrics } from './metrics.ts'
import { OriginPools } from './originPools.ts'
import { buildListenerUpgrades } from './upgrade.ts'

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
    // Issue 13: absolute-form naming the Host becomes origin-form; errors Node's
    // parser raises are answered short and no-store.
    rewriteUrl: originFormTarget,
    clientErrorHandler: answerClientError,
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
    ...(store === undefined ? {} : { store }),
    ...(config.encodeWorkers === undefined ? {} : { encodeWorkers: config.encodeWorkers })
  })
  const responder = new OriginResponder(options, app.log)
  for (const { name, reason } of options.unavailableCodecs) app.log.info({ codec: name, reason }, 'coilgun-listener: codec unavailable, not offered')
  const pools = new OriginPools(config)
  const metrics = new ListenerMetrics(redis)
  const ctx: ListenerContext = Object.freeze({ responder, pools, metrics, maxBodyBytes: config.maxBodyBytes, diagnosticHeader: config.diagnosticHeader, originTimeoutMs: config.originTimeoutMs, trustProxy: config.trustProxy, via: config.via })

  // Request bodies are streamed to the origin, never parsed.
  app.removeAllContentTypeParsers()
  // Issue 13: `OPTIONS *` answered here, other non-origin-form targets a 400;
  // upgrades follow the host map through their own tunnel.
  app.addHook('onRequest', answerRequestTarget)
  app.setErrorHandler(answerOwnError)
  const upgrades = buildListenerUpgrades(config, pools, metrics, app.log)
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

function buildListenerAdmin (metrics: ListenerMetrics): FastifyInstance {
  const admin = Fastify({ logger: false })
  admin.get('/healthz', async function healthz () { return { status: 'ok' } })
  admin.get('/metrics', async function prometheusMetrics (_request, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return admin
}
