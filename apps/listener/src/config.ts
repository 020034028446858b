import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PRIVATE_TTL_MS } from '@coilgun/core'
import { ConfigError, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, envBoolean, envBytes, envCodecs, envDurationMs, envHealthCheck, envInteger, envListen, envLogLevel, envPemFile, envPemPair, envPrivatePaths, envRequired, envSecrets, envVia, parseOriginUrl } from '@coilgun/service'
import type { CodecName } from '@coilgun/core'
import type { Env, HostPort, LogLevel } from '@coilgun/service'
import { redisStoreOptionsFromEnv } from '@coilgun/redis'
import type { RedisVersionStoreOptions } from '@coilgun/redis'
import { readFileSync } from 'node:fs'
import { DEFAULT_HOST, hostMapFileEntries, MAP_FORM, parseHostMap } from './hostMap.ts'

// The only place coilgun-listener reads process.env (STYLE rule 3).

export const DEFAULT_LISTEN = '0.0.0.0:8081'
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9091'
/** The listener's store serves many origins, so it is larger than core's in-process default (DEFAULT_STORE_MAX_BYTES, 64 MiB). */
export const DEFAULT_LISTENER_STORE_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_ORIGIN_CONNECTIONS = 64
export const DEFAULT_ORIGIN_TIMEOUT_MS = 30_000
export { DEFAULT_HOST }
/** The pseudonym the listener writes into Via (RFC 9110 section 7.6.3); COILGUN_VIA=off for none. */
export const DEFAULT_VIA = 'coilgun-listener'

export interface ListenerConfig {
  /** Lower-case host, host:port or *.domain -> origin URL; `default` catches the rest when present (hostMap.ts). */
  readonly origins: ReadonlyMap<string, string>
  readonly secret: string
  /** Every secret accepted, current first (COILGUN_SECRET_FILE lines, COILGUN_PREVIOUS_SECRETS). */
  readonly secrets: readonly string[]
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
  /** COILGUN_PRIVATE_PATHS: paths whose responses are private (issue 11). */
  readonly privatePaths: readonly string[]
  /** COILGUN_PRIVATE_TTL_SECONDS, in ms: lifetime of private versions in the embedded store. */
  readonly privateTtlMs: number
  /** COILGUN_PRIVATE_DELTAS: delta-encode private responses (per visitor) or answer them in full. */
  readonly privateDeltas: boolean
  /** Shared Redis version store (COILGUN_REDIS_*), or undefined for the embedded one. */
  readonly redis: RedisVersionStoreOptions | undefined
  /** Active health checks of the origins, for /readyz (COILGUN_HEALTH_CHECK_*). */
  readonly healthCheck: { intervalMs: number, unhealthyThreshold: number, healthyThreshold: number }
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

/**
 * COILGUN_ORIGINS or COILGUN_ORIGINS_FILE (host map, in the spirit of Railgun's map
 * file; see hostMap.ts) or COILGUN_ORIGIN (one origin for every host).
 */
function originMap (env: Env): Map<string, string> {
  const single = env.COILGUN_ORIGIN
  const raw = env.COILGUN_ORIGINS
  const file = env.COILGUN_ORIGINS_FILE
  const set = [['COILGUN_ORIGIN', single], ['COILGUN_ORIGINS', raw], ['COILGUN_ORIGINS_FILE', file]].filter(([, v]) => v !== undefined && v.trim() !== '')
  // Issue 16: two of them set dropped one silently; say which to keep instead.
  if (set.length > 1) throw new ConfigError(set[1]![0]!, `to be unset when ${set[0]![0]!} is set (one origin for every host, a host map or a host-map file: only one)`, set[1]![1])
  if (single !== undefined && single.trim() !== '') return new Map([[DEFAULT_HOST, parseOriginUrl('COILGUN_ORIGIN', single)]])
  if (file !== undefined && file.trim() !== '') {
    let text: string
    try {
      text = readFileSync(file.trim(), 'utf8')
    } catch (err) {
      throw new ConfigError('COILGUN_ORIGINS_FILE', `a readable host-map file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, file)
    }
    return parseHostMap('COILGUN_ORIGINS_FILE', hostMapFileEntries(file.trim(), text), file)
  }
  const value = envRequired(env, 'COILGUN_ORIGINS', `${MAP_FORM} (or COILGUN_ORIGIN=http://host:port, or COILGUN_ORIGINS_FILE)`)
  return parseHostMap('COILGUN_ORIGINS', value.split(',').filter(s => s.trim() !== '').map(text => ({ text })), value)
}

/** Reads and validates the listener's configuration from `env`; throws ConfigError. */
export function loadListenerConfig (env: Env = process.env): ListenerConfig {
  const origins = originMap(env)
  const secrets = Object.freeze(envSecrets(env, 'COILGUN_SECRET', 'COILGUN_PREVIOUS_SECRETS'))
  const secret = secrets[0]!
  const tls = envPemPair(env, 'COILGUN_TLS_CERT', 'COILGUN_TLS_KEY')
  const tlsClientCa = envPemFile(env, 'COILGUN_TLS_CLIENT_CA')
  if (tlsClientCa !== undefined && tls === undefined) throw new ConfigError('COILGUN_TLS_CERT', 'to be set (with COILGUN_TLS_KEY) when COILGUN_TLS_CLIENT_CA requires client certificates', undefined)
  const workers = env.COILGUN_ENCODE_WORKERS
  return Object.freeze({
    origins,
    secret,
    secrets,
    listen: envListen(env, 'COILGUN_LISTEN', DEFAULT_LISTEN, false)!,
    adminListen: envListen(env, 'COILGUN_ADMIN_LISTEN', DEFAULT_ADMIN_LISTEN, true),
    tls,
    tlsClientCa,
    storeMaxBytes: envBytes(env, 'COILGUN_STORE_MAX_BYTES', DEFAULT_LISTENER_STORE_MAX_BYTES, 1024),
    maxBodyBytes: envBytes(env, 'COILGUN_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 1024 * 1024 * 1024),
    codecs: Object.freeze(envCodecs(env, 'COILGUN_CODECS')),
    logLevel: envLogLevel(env, 'COILGUN_LOG_LEVEL'),
    originConnections: envInteger(env, 'COILGUN_ORIGIN_CONNECTIONS', DEFAULT_ORIGIN_CONNECTIONS, 1, 4096),
    originTimeoutMs: envDurationMs(env, 'COILGUN_ORIGIN_TIMEOUT_MS', DEFAULT_ORIGIN_TIMEOUT_MS, 1, 3_600_000),
    connectTimeoutMs: envDurationMs(env, 'COILGUN_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
    encodeWorkers: workers === undefined || workers.trim() === '' ? undefined : envInteger(env, 'COILGUN_ENCODE_WORKERS', 1, 0, 64),
    diagnosticHeader: envBoolean(env, 'COILGUN_DIAGNOSTIC_HEADER', true),
    shutdownTimeoutMs: envDurationMs(env, 'COILGUN_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 0, 600_000),
    privatePaths: envPrivatePaths(env, 'COILGUN_PRIVATE_PATHS'),
    privateTtlMs: envInteger(env, 'COILGUN_PRIVATE_TTL_SECONDS', DEFAULT_PRIVATE_TTL_MS / 1000, 1, 24 * 60 * 60) * 1000,
    privateDeltas: envBoolean(env, 'COILGUN_PRIVATE_DELTAS', true),
    redis: redisStoreOptionsFromEnv(env),
    healthCheck: Object.freeze(envHealthCheck(env)),
    trustProxy: envBoolean(env, 'COILGUN_TRUST_PROXY', true),
    via: envVia(env, 'COILGUN_VIA', DEFAULT_VIA)
  })
}
