import { Cluster, Redis } from 'ioredis'
import type { ClusterOptions, RedisOptions } from 'ioredis'
import type { ResolvedRedisStoreOptions } from './redisStoreOptions.ts'
import { DEFAULT_REDIS_CONNECT_TIMEOUT_MS } from './redisStoreOptions.ts'

/** First reconnection delay; each attempt waits this much longer, up to `reconnectMaxDelayMs`. */
export const RECONNECT_STEP_MS = 50
/**
 * A connection that has commands outstanding and receives nothing for this long is
 * dropped and reconnected: Redis hung (stopped, partitioned) rather than slow.
 */
export const SOCKET_TIMEOUT_MS = 2000

/** Reconnection delays: 50, 100, 150 ms ... up to `maxDelayMs`, forever (issue 6: resume on its own). */
export function reconnectDelay (attempt: number, maxDelayMs: number): number {
  return Math.min(attempt * RECONNECT_STEP_MS, maxDelayMs)
}

/**
 * The options that make ioredis fail fast instead of queueing: while disconnected a
 * command is refused at once (no offline queue), and commands in flight when the
 * connection drops are rejected rather than retried after reconnecting. Each
 * command's wait is bounded by the store itself (commandDeadline.ts), and a
 * connection that stops answering altogether is dropped after the socket timeout.
 */
function failFastOptions (options: ResolvedRedisStoreOptions): RedisOptions {
  return {
    connectTimeout: DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
    ...options.redisOptions,
    socketTimeout: Math.max(SOCKET_TIMEOUT_MS, options.commandTimeoutMs * 4),
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectionName: options.redisOptions.connectionName ?? 'coilgun'
  }
}

/** The ioredis client for a `url` or `cluster` target (an injected client is used as is). */
export function createRedisClient (options: ResolvedRedisStoreOptions): Redis | Cluster {
  const maxDelay = options.reconnectMaxDelayMs
  function retryStrategy (attempt: number): number {
    return reconnectDelay(attempt, maxDelay)
  }
  const target = options.target
  if (target.kind === 'url') {
    return new Redis(target.url, { ...failFastOptions(options), enableOfflineQueue: false, retryStrategy })
  }
  if (target.kind === 'cluster') {
    const clusterOptions: ClusterOptions = {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      clusterNodeRetryStrategy: retryStrategy,
      slotsRefreshTimeout: Math.max(1000, options.commandTimeoutMs * 4),
      redisOptions: failFastOptions(options)
    }
    return new Cluster(target.nodes.map(n => ({ host: n.host, port: n.port })), clusterOptions)
  }
  return target.client
}
