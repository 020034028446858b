import type { ActiveHealthCheck } from '@coilgun/service'

/** What `/readyz` answers: 200 with `ready`, or 503 with a short reason (issue 16). */
export interface ReadinessReport {
  readonly ready: boolean
  readonly body: { status: 'ready' | 'unready', reason?: string, upstreams: Array<{ url: string, healthy: boolean | undefined, reason?: string | undefined }> }
}

/**
 * The sender is ready while at least one upstream passes its active health check
 * (Kubernetes readiness: take the pod out of the Service while every visitor would
 * get a 502, keep it alive for /healthz). Before the first probe has answered it is
 * not ready yet, like an Envoy host that has not passed its first check.
 */
export function senderReadiness (check: ActiveHealthCheck): ReadinessReport {
  const upstreams = check.status()
  if (check.anyHealthy()) return { ready: true, body: { status: 'ready', upstreams } }
  const reason = check.pending() && upstreams.every(u => u.healthy !== false) ? 'first health check pending' : 'no upstream reachable'
  return { ready: false, body: { status: 'unready', reason, upstreams } }
}
