import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { SenderMetrics } from './metrics.ts'
import type { ReadinessReport } from './readiness.ts'
import { registerStatusPage } from '@coilgun/status'
import type { StatusRecorder } from '@coilgun/status'

/**
 * The admin listener, kept off the visitor port: `/healthz` (liveness: the process
 * answers), `/readyz` (readiness: an upstream is reachable; 503 with a reason
 * otherwise), Prometheus `/metrics` and the status page `/` (issue 19).
 */
export function buildAdmin (metrics: SenderMetrics, readiness: () => ReadinessReport, status?: StatusRecorder): FastifyInstance {
  const admin = Fastify({ logger: false })
  if (status !== undefined) registerStatusPage(admin, status)
  admin.get('/healthz', async function healthz () {
    return { status: 'ok' }
  })
  admin.get('/readyz', async function readyz (_request, reply) {
    const report = readiness()
    return reply.code(report.ready ? 200 : 503).header('cache-control', 'no-store').send(report.body)
  })
  admin.get('/metrics', async function prometheusMetrics (_request, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return admin
}

