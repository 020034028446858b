import { ConfigError, envBoolean, envVia, envCodecs, envInteger, envListen, envLogLevel, envPemFile, envPemPair, envRequired, envSecret, parseOriginUrl } from '@coilgun/core'
import type { CodecName, Env, HostPort, LogLevel } from '@coilgun/core'
import { redisStoreOptionsFromEnv } from '@coilgun/redis'
import type { RedisVersionStoreOptions } from '@coilgun/redis'

// The only place coilgun-listener reads process.env (STYLE rule 3).

export const DEFAULT_LISTEN = '0.0.0.0:8081'
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9091'
export const DEFAULT_STORE_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
export const DEFAULT_ORIGIN_CONNECTIONS = 64
export const DEFAULT_ORIGIN_TIMEOUT_MS = 30_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000
/** The pseudonym the listener writes into Via (RFC 9110 section 7.6.3); COILGUN_VIA=off for none. */
export const DEFAULT_VIA = 'coilgun-listener'
/** The host-map key that catches every Host not listed. */
export const DEFAULT_HOST = 'default'

export interface ListenerConfig {
  /** Lower-case host (no port) -> origin URL; `default` catches the rest when present. */
  readonly origins: ReadonlyMap<string, string>
  readonly secret: string
  readonly listen: HostPort
  readonly adminListen: HostPort | undefined
  /** HTTPS for the sender link, when set. */
  readonly tls: { cert: string, key: string } | undefined
  /** CA that client certificates must chain to (mutual TLS), when set. */
  readonly tlsClientCa: string | undefined
  readonly storeMaxBytes: number
  readonly maxBodyBytes: number
  readonly codecs: readonly CodecName[]
  readonly logLevel: LogLevel
  readonly originConnections: number
  readonly originTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly encodeWorkers: number | undefined
  readonly diagnosticHeader: boolean
  readonly shutdownTimeoutMs: number
  /** Shared Redis version store (COILGUN_REDIS_*), or undefined for the embedded one. */
  readonly redis: RedisVersionStoreOptions | undefined
  /**
   * COILGUN_TRUST_PROXY: believe the client's X-Forwarded-*, Forwarded, X-Real-IP,
   * True-Client-IP and Via (and append to them). A listener's client is normally the
   * sender, which has already replaced what a visitor wrote; turn it off when
   * visitors can reach the listener directly (issue 13).
   * @default true
   */
  readonly trustProxy: boolean
  /** COILGUN_VIA: pseudonym appended to Via on origin requests; undefined: no Via. @default 'coilgun-listener' */
  readonly via: string | undefined
}

const MAP_FORM = 'a host map like "www.example.com=http://10.0.0.5:8080,default=http://127.0.0.1:8080"'

/**
 * COILGUN_ORIGINS (host map, in the spirit of Railgun's map file) or COILGUN_ORIGIN
 * (one origin for every host).
 */
function originMap (env: Env): Map<string, string> {
  const map = new Map<string, string>()
  const single = env.COILGUN_ORIGIN
  const raw = env.COILGUN_ORIGINS
  if ((raw === undefined || raw.trim() === '') && single !== undefined && single.trim() !== '') {
    map.set(DEFAULT_HOST, parseOriginUrl('COILGUN_ORIGIN', single))
    return map
  }
  const value = envRequired(env, 'COILGUN_ORIGINS', `${MAP_FORM} (or COILGUN_ORIGIN=http://host:port)`)
  for (const entry of value.split(',').map(s => s.trim()).filter(s => s !== '')) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new ConfigError('COILGUN_ORIGINS', MAP_FORM, value)
    const host = entry.slice(0, eq).trim().toLowerCase()
    if (!/^(default|[a-z0-9.-]+)$/.test(host) || map.has(host)) throw new ConfigError('COILGUN_ORIGINS', `${MAP_FORM}, each host once`, value)
    map.set(host, parseOriginUrl('COILGUN_ORIGINS', entry.slice(eq + 1), value))
  }
  if (map.size === 0) throw new ConfigError('COILGUN_ORIGINS', MAP_FORM, value)
  return map
}

/** Reads and validates the listener's configuration from `env`; throws ConfigError. */
export function loadListenerConfig (env: Env = process.env): ListenerConfig {
  const origins = originMap(env)
  const secret = envSecret(env, 'COILGUN_SECRET')
  const tls = envPemPair(env, 'COILGUN_TLS_CERT', 'COILGUN_TLS_KEY')
  const tlsClientCa = envPemFile(env, 'COILGUN_TLS_CLIENT_CA')
  if (tlsClientCa !== undefined && tls === undefined) throw new ConfigError('COILGUN_TLS_CERT', 'to be set (with COILGUN_TLS_KEY) when COILGUN_TLS_CLIENT_CA requires client certificates', undefined)
  const workers = env.COILGUN_ENCODE_WORKERS
  return Object.freeze({
    origins,
    secret,
    listen: envListen(env, 'COILGUN_LISTEN', DEFAULT_LISTEN, false)!,
    adminListen: envListen(env, 'COILGUN_ADMIN_LISTEN', DEFAULT_ADMIN_LISTEN, true),
    tls,
    tlsClientCa,
    storeMaxBytes: envInteger(env, 'COILGUN_STORE_MAX_BYTES', DEFAULT_STORE_MAX_BYTES, 1024),
    maxBodyBytes: envInteger(env, 'COILGUN_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 1024 * 1024 * 1024),
    codecs: Object.freeze(envCodecs(env, 'COILGUN_CODECS')),
    logLevel: envLogLevel(env, 'COILGUN_LOG_LEVEL'),
    originConnections: envInteger(env, 'COILGUN_ORIGIN_CONNECTIONS', DEFAULT_ORIGIN_CONNECTIONS, 1, 4096),
    originTimeoutMs: envInteger(env, 'COILGUN_ORIGIN_TIMEOUT_MS', DEFAULT_ORIGIN_TIMEOUT_MS, 1, 3_600_000),
    connectTimeoutMs: envInteger(env, 'COILGUN_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
    encodeWorkers: workers === undefined || workers.trim() === '' ? undefined : envInteger(env, 'COILGUN_ENCODE_WORKERS', 1, 0, 64),
    diagnosticHeader: envBoolean(env, 'COILGUN_DIAGNOSTIC_HEADER', true),
    shutdownTimeoutMs: envInteger(env, 'COILGUN_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 0, 600_000),
    redis: redisStoreOptionsFromEnv(env),
    trustProxy: envBoolean(env, 'COILGUN_TRUST_PROXY', true),
    via: envVia(env, 'COILGUN_VIA', DEFAULT_VIA)
  })
}
