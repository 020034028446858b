import { DEFAULT_PRIVATE_TTL_MS, ERR_INVALID_OPTION, integerOption, splitHostPort } from '@coilgun/core'
import type { WarnLogger } from '@coilgun/core'
import type { Cluster, Redis, RedisOptions } from 'ioredis'

/** Every key this store writes starts with this, so one Redis can serve other uses. */
export const DEFAULT_PREFIX = 'coilgun:'
/** Versions and pointers live one day, as in the embedded store: older bases are rarely asked for. */
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60
/** Private versions (one visitor's page, issue 11) live ten minutes, as in the embedded store. */
export const DEFAULT_PRIVATE_TTL_SECONDS = DEFAULT_PRIVATE_TTL_MS / 1000
/** Same as the origin's largest eligible body (`maxBodyBytes`): larger versions are not stored. */
export const DEFAULT_MAX_VERSION_BYTES = 8 * 1024 * 1024
/** In-process cache of versions in front of Redis. */
export const DEFAULT_LRU_MAX_BYTES = 32 * 1024 * 1024
/** Longest wait for one Redis command; past it the version counts as unknown (issue 6). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 50
/** Longest pause between two reconnection attempts. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 1000
/**
 * Longest wait for a TCP connection to Redis (not on the request path: commands fail fast meanwhile).
 * Named for Redis: the apps' DEFAULT_CONNECT_TIMEOUT_MS (5 s) bounds a connection to an upstream or origin.
 */
export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 2000
/**
 * A version this instance keeps serving is sent to Redis again at most this often
 * (or a quarter of the TTL if shorter), which refreshes its TTL without sending
 * every request's body to Redis.
 */
export const MAX_REWRITE_INTERVAL_MS = 60_000

/** Connection options passed through to ioredis (also to every node of a cluster). */
export type RedisConnectionOptions = Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db' | 'family' | 'connectionName' | 'connectTimeout' | 'protocol'>

/** A logger with `warn` (outages) and optionally `info` (recoveries); pino and Fastify's `app.log` fit. */
export interface RedisStoreLogger extends WarnLogger {
  info? (obj: object, msg: string): void
}

/** A Redis node of a cluster: `host:port` or `{ host, port }`. */
export type RedisClusterNode = string | { host: string, port: number }

export interface RedisVersionStoreOptions {
  /**
   * Redis to connect to: `redis://[user:password@]host[:port][/db]`, or `rediss://`
   * for TLS. Exactly one of `url`, `cluster` and `client` is required.
   * @default none
   */
  url?: string
  /**
   * Seed nodes of a Redis Cluster (`host:port` or `{ host, port }`); the rest are
   * discovered. Every command touches a single key, so keys spread over all slots.
   * @default none
   */
  cluster?: readonly RedisClusterNode[]
  /**
   * An ioredis client (`Redis` or `Cluster`) to use instead of creating one. It is
   * not closed by `close()`. Give it `enableOfflineQueue: false` and
   * `maxRetriesPerRequest: 0` so that commands fail fast while it is disconnected;
   * reads are bounded by `commandTimeoutMs` either way.
   * @default none
   */
  client?: Redis | Cluster
  /**
   * Prefix of every key. Avoid `{...}` in it: a Redis Cluster hash tag would put every
   * key of every origin into one slot, on one node.
   * @default 'coilgun:'
   */
  prefix?: string
  /**
   * Lifetime of versions and latest-version pointers in Redis (and in the in-process
   * cache), in seconds. A base older than this is unknown and the answer is full.
   * @default 86400 (one day)
   */
  ttlSeconds?: number
  /**
   * Lifetime of private versions (one visitor's page: docs/PROTOCOL.md, "Private
   * responses") in Redis and in the in-process cache, in seconds; at most
   * `ttlSeconds`. The in-process cache also keeps any version it read from Redis at
   * most this long, since it cannot tell a private one from a public one.
   * @default 600 (ten minutes)
   */
  privateTtlSeconds?: number
  /**
   * Versions larger than this are not stored (neither in Redis nor in the in-process
   * cache): a request against them gets a full answer. Big values slow Redis for
   * every client, since it answers one command at a time.
   * @default 8388608 (8 MiB)
   */
  maxVersionBytes?: number
  /**
   * Bytes of versions kept in process in front of Redis (bodies, keys and a per-entry
   * overhead), so a busy instance does not fetch the same base again and again. 0
   * disables it; every base is then read from Redis.
   * @default 33554432 (32 MiB)
   */
  lruMaxBytes?: number
  /**
   * Longest wait for Redis on any read or write, in ms. A read that takes longer
   * resolves `undefined` (the answer is full); the request never waits longer. Keep
   * it in the tens of milliseconds: a base that slow is not worth waiting for.
   * @default 50
   */
  commandTimeoutMs?: number
  /**
   * Longest pause between two reconnection attempts after Redis went away, in ms
   * (attempts start at 50 ms and grow to it). Deltas resume at most this long after
   * Redis is back. Ignored for an injected `client`.
   * @default 1000
   */
  reconnectMaxDelayMs?: number
  /**
   * Extra connection options for ioredis (credentials, TLS, database), used for the
   * client this store creates and for every node of a cluster.
   * @default {}
   */
  redisOptions?: RedisConnectionOptions
  /**
   * Where outages ("Redis unavailable") and recoveries ("Redis back") are logged, once
   * per episode. Pass Fastify's `app.log` or a pino logger.
   * @default console
   */
  logger?: RedisStoreLogger
}

/** How the store reaches Redis. */
export type RedisTarget =
  | { readonly kind: 'url', readonly url: string }
  | { readonly kind: 'cluster', readonly nodes: ReadonlyArray<{ readonly host: string, readonly port: number }> }
  | { readonly kind: 'client', readonly client: Redis | Cluster }

export interface ResolvedRedisStoreOptions {
  readonly target: RedisTarget
  readonly prefix: string
  readonly ttlSeconds: number
  readonly privateTtlSeconds: number
  readonly maxVersionBytes: number
  readonly lruMaxBytes: number
  readonly commandTimeoutMs: number
  readonly reconnectMaxDelayMs: number
  /** Derived from the TTL: see {@link MAX_REWRITE_INTERVAL_MS}. */
  readonly rewriteIntervalMs: number
  readonly redisOptions: RedisConnectionOptions
  readonly logger: RedisStoreLogger
}

/** `redis://` or `rediss://` URL with a host; the message never repeats credentials. */
export function validateRedisUrl (name: string, value: unknown): string {
  if (typeof value !== 'string') throw new ERR_INVALID_OPTION(name, 'expected a redis:// or rediss:// URL')
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '' || !/^\/?(\d+)?$/.test(url.pathname)) {
    throw new ERR_INVALID_OPTION(name, `expected redis://[user:password@]host[:port][/db] or rediss://..., got "${redactUrl(value)}"`)
  }
  return value
}

/** The URL with any credentials replaced by `***`, for messages and logs. */
export function redactUrl (value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@')
}

/** `host:port` (a name, IPv4 or `[IPv6]`) as a cluster node. */
export function parseClusterNode (name: string, node: RedisClusterNode): { host: string, port: number } {
  if (typeof node === 'object' && node !== null && typeof node.host === 'string' && node.host !== '') {
    return { host: node.host, port: integerOption(`${name} port`, node.port, 1, 65535) }
  }
  const parts = typeof node === 'string' ? splitHostPort(node) : undefined
  if (parts === undefined || parts.host === '' || parts.port < 1) {
    throw new ERR_INVALID_OPTION(name, `expected host:port (e.g. 10.0.0.5:6379 or [::1]:7000), got ${JSON.stringify(node)}`)
  }
  return parts
}

function resolveTarget (options: RedisVersionStoreOptions): RedisTarget {
  const given = (['url', 'cluster', 'client'] as const).filter(k => options[k] !== undefined)
  if (given.length !== 1) {
    throw new ERR_INVALID_OPTION('url/cluster/client', `expected exactly one of url, cluster or client, got ${given.length === 0 ? 'none' : given.join(' and ')}`)
  }
  if (options.url !== undefined) return Object.freeze({ kind: 'url', url: validateRedisUrl('url', options.url) })
  if (options.cluster !== undefined) {
    if (!Array.isArray(options.cluster) || options.cluster.length === 0) {
      throw new ERR_INVALID_OPTION('cluster', 'expected a non-empty list of host:port nodes')
    }
    const nodes = options.cluster.map((node: RedisClusterNode, i: number) => Object.freeze(parseClusterNode(`cluster[${i}]`, node)))
    return Object.freeze({ kind: 'cluster', nodes: Object.freeze(nodes) })
  }
  const client = options.client
  if (typeof client !== 'object' || client === null || typeof client.getBuffer !== 'function' || typeof client.on !== 'function') {
    throw new ERR_INVALID_OPTION('client', 'expected an ioredis Redis or Cluster client')
  }
  return Object.freeze({ kind: 'client', client })
}

function consoleWarn (obj: object, msg: string): void {
  const err = (obj as { err?: unknown }).err
  console.warn(err instanceof Error ? `${msg}: ${err.message}` : msg)
}

function consoleInfo (_obj: object, msg: string): void {
  console.info(msg)
}

const CONSOLE_LOGGER: RedisStoreLogger = Object.freeze({ warn: consoleWarn, info: consoleInfo })

/**
 * Validates and resolves the options once, at creation (STYLE rule 3); every problem
 * is a `COILGUN_ERR_INVALID_OPTION` naming the option.
 */
export function resolveRedisStoreOptions (options: RedisVersionStoreOptions): ResolvedRedisStoreOptions {
  if (options === null || typeof options !== 'object') throw new ERR_INVALID_OPTION('options', 'expected an object')
  const target = resolveTarget(options)
  const prefix = options.prefix ?? DEFAULT_PREFIX
  if (typeof prefix !== 'string' || prefix.length > 128) throw new ERR_INVALID_OPTION('prefix', 'expected a string of at most 128 characters')
  const ttlSeconds = integerOption('ttlSeconds', options.ttlSeconds ?? DEFAULT_TTL_SECONDS, 1, 365 * 24 * 60 * 60)
  const privateTtlSeconds = Math.min(ttlSeconds, integerOption('privateTtlSeconds', options.privateTtlSeconds ?? DEFAULT_PRIVATE_TTL_SECONDS, 1, 365 * 24 * 60 * 60))
  // 512 MB is the largest string Redis accepts.
  const maxVersionBytes = integerOption('maxVersionBytes', options.maxVersionBytes ?? DEFAULT_MAX_VERSION_BYTES, 1, 512 * 1024 * 1024)
  const lruMaxBytes = integerOption('lruMaxBytes', options.lruMaxBytes ?? DEFAULT_LRU_MAX_BYTES, 0)
  const commandTimeoutMs = integerOption('commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, 1, 60_000)
  const reconnectMaxDelayMs = integerOption('reconnectMaxDelayMs', options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS, 50, 600_000)
  const redisOptions = options.redisOptions ?? {}
  if (typeof redisOptions !== 'object' || redisOptions === null) throw new ERR_INVALID_OPTION('redisOptions', 'expected an object of ioredis connection options')
  const logger = options.logger ?? CONSOLE_LOGGER
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function') {
    throw new ERR_INVALID_OPTION('logger', 'expected a logger with warn(obj, msg)')
  }
  return Object.freeze({
    target,
    prefix,
    ttlSeconds,
    privateTtlSeconds,
    maxVersionBytes,
    lruMaxBytes,
    commandTimeoutMs,
    reconnectMaxDelayMs,
    rewriteIntervalMs: Math.min(MAX_REWRITE_INTERVAL_MS, Math.ceil(ttlSeconds * 1000 / 4)),
    redisOptions: Object.freeze({ ...redisOptions }),
    logger
  })
}
