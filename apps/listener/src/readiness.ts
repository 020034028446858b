import type { ActiveHealthCheck } from '@coilgun/service'
import type { RedisVersionStore } from '@coilgun/redis'

/** What `/readyz` answers (issue 16). */
export interface ReadinessReport {
  readonly ready: boolean
  readonly body: {
    status: 'ready' | 'degraded' | 'unready'
    reason?: string
    origins: Array<{ url: string, healthy: boolean | undefined, reason?: string | undefined }>
    redis?: 'ok' | 'unavailable'
  }
}

/**
 * Ready while at least one origin of the host map passes its active health check.
 * Redis trouble does not make the listener unready: every answer is still correct
 * (full instead of delta), so taking it out of rotation would only lose capacity;
 * it shows as `degraded` (200) with the reason.
 */
export function listenerReadiness (check: ActiveHealthCheck, redis: RedisVersionStore | undefined): ReadinessReport {
  const origins = check.status()
  const redisState = redis === undefined ? undefined : redis.stats().healthy ? 'ok' as const : 'unavailable' as const
  const withRedis = redisState === undefined ? {} : { redis: redisState }
  if (!check.anyHealthy()) {
    const reason = check.pending() && origins.every(o => o.healthy !== false) ? 'first health check pending' : 'no origin reachable'
    return { ready: false, body: { status: 'unready', reason, origins, ...withRedis } }
  }
  if (redisState === 'unavailable') return { ready: true, body: { status: 'degraded', reason: 'Redis unavailable: answering in full until it is back', origins, ...withRedis } }
  return { ready: true, body: { status: 'ready', origins, ...withRedis } }
}
