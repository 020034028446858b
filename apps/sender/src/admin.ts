import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { SenderMetrics } from './metrics.ts'
import { registerStatusPage } from '@coilgun/status'
import type { StatusRecorder } from '@coilgun/status'

/** The admin listener: `/healthz` and Prometheus `/metrics`, kept off the visitor port. */
export function buildAdmin (metrics: SenderMetrics, healthy: () => boolean, status?: StatusRecorder): FastifyInstance {
  const admin = Fastify({ logger: false })
  if (status !== undefined) registerStatusPage(admin, status)
  admin.get('/healthz', async function healthz (_request, reply) {
    const ok = healthy()
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unhealthy' })
  })
  admin.get('/metrics', async function prometheusMetrics (_request, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return admin
}

