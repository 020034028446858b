import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { registerStatusPage } from '@coilgun/status'
import type { StatusRecorder } from '@coilgun/status'

/** A Prometheus registry as prom-client's `Registry` offers it. */
export interface MetricsRegistry {
  readonly contentType: string
  metrics (): Promise<string>
}

/** Readiness as each app judges it: `ready`, and the JSON body that says why. */
export interface ReadinessReport {
  readonly ready: boolean
  readonly body: unknown
}

/**
 * The admin listener of either app, kept off the visitor port: `/healthz` (liveness:
 * the process answers), `/readyz` (readiness: an upstream or origin is reachable;
 * 503 with a reason otherwise, Kubernetes probe conventions), Prometheus `/metrics`
 * and the status page `/` (issue 19).
 */
export function buildAdmin (registry: MetricsRegistry, readiness: () => ReadinessReport, status?: StatusRecorder): FastifyInstance {
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
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
  return admin
}
