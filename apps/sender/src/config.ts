import { DEFAULT_MAX_BODY_BYTES } from '@coilgun/core'
import { ConfigError, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, envBoolean, envBytes, envCodecs, envCookieNames, envDurationMs, envHealthCheck, envInteger, envListen, envLogLevel, envOptionalToken, envPemFile, envPemPair, envPrivatePaths, envRequired, envSecrets, envVia, parseHostPort, parseOriginUrl } from '@coilgun/service'
import type { CodecName } from '@coilgun/core'
import type { Env, HostPort, LogLevel } from '@coilgun/service'
import { visitorDictionariesUnavailable } from './visitorDictionariesRuntime.ts'
import { DEFAULT_UPSTREAM_HTTP2 } from './upstreamProtocol.ts'
import type { UpstreamHttp2 } from './upstreamProtocol.ts'

// The only place coilgun-sender reads process.env (STYLE rule 3). Every variable is
// validated here; a bad value stops the process with one line naming it.

export const DEFAULT_LISTEN = '0.0.0.0:8080'
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9090'
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_UPSTREAM_CONNECTIONS = 32
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000
/** The pseudonym the sender writes into Via (RFC 9110 section 7.6.3); COILGUN_VIA=off for none. */
export const DEFAULT_VIA = 'coilgun-sender'
/** Issue 12: connections per upstream for streamed downloads, apart from the page lane. */
export const DEFAULT_UPSTREAM_STREAM_CONNECTIONS = 32
/** Issue 12: requests per upstream that may wait for a page connection (Envoy's max_pending_requests is 1024). */
export const DEFAULT_UPSTREAM_QUEUE = 1024
/** Issue 8 and 12: time a visitor has to send its request headers (Node's default is 60 s). */
export const DEFAULT_VISITOR_HEADERS_TIMEOUT_MS = 20_000
/** Issue 12: longest a visitor may leave the response unread before it is cut (nginx send_timeout). */
export const DEFAULT_VISITOR_SEND_TIMEOUT_MS = 30_000
export { ConfigError, parseHostPort }
export type { HostPort, LogLevel }

export interface SenderConfig {
  /** Origin base URLs (listener or app with the plugin), without trailing slash. */
  readonly upstreams: readonly string[]
  readonly secret: string
  readonly listen: HostPort
  /** undefined: no admin listener. */
  readonly adminListen: HostPort | undefined
  readonly cacheMaxBytes: number
  readonly maxBodyBytes: number
  readonly codecs: readonly CodecName[]
  readonly logLevel: LogLevel
  readonly upstreamConnections: number
  readonly upstreamTimeoutMs: number
  readonly connectTimeoutMs: number
  /** COILGUN_UPSTREAM_HTTP2 (upstreamProtocol.ts). @default 'auto' */
  readonly upstreamHttp2: UpstreamHttp2
  /** PEM contents, read at start. */
  readonly upstreamCa: string | undefined
  readonly upstreamCert: string | undefined
  readonly upstreamKey: string | undefined
  /** COILGUN_DIAGNOSTIC_HEADER: off by default, since it is a compression oracle (issue 11). */
  readonly diagnosticHeader: boolean
  /** COILGUN_DIAGNOSTIC_TOKEN: when set, only requests presenting it in `Coilgun-Debug` get the header. */
  readonly diagnosticToken: string | undefined
  /** COILGUN_SESSION_COOKIES: cookies that identify a visitor; undefined: the whole Cookie field. */
  readonly sessionCookies: readonly string[] | undefined
  /** COILGUN_PRIVATE_PATHS: paths whose answers are private whatever their headers say. */
  readonly privatePaths: readonly string[]
  /** COILGUN_PRIVATE_DELTAS: per-visitor bases for private answers (on) or none at all (off). */
  readonly privateDeltas: boolean
  readonly trustProxy: boolean
  readonly shutdownTimeoutMs: number
  /** PEM contents of the visitor-facing certificate and key (HTTPS with ALPN h2 and http/1.1); undefined: plain HTTP. */
  readonly tlsCert: string | undefined
  readonly tlsKey: string | undefined
  /** RFC 9842 deltas to visitors' browsers (issue 18). @default false */
  readonly visitorDictionaries: boolean
  /** When set, dictionary pages without a freshness lifetime get `max-age=0, stale-while-revalidate=<this>`. @default undefined (never change Cache-Control) */
  readonly visitorDictionarySwrSeconds: number | undefined
  /** Active health checks of the upstreams, for /readyz (COILGUN_HEALTH_CHECK_*). */
  readonly healthCheck: { intervalMs: number, unhealthyThreshold: number, healthyThreshold: number }
  /** COILGUN_VIA: pseudonym appended to Via on upstream requests; undefined: no Via (issue 13). @default 'coilgun-sender' */
  readonly via: string | undefined
  /** Connections per upstream for streamed downloads (the page lane has upstreamConnections). @default 32 */
  readonly upstreamStreamConnections: number
  /** Requests per upstream that may wait for a page connection; more are a 503. @default 1024 */
  readonly upstreamQueue: number
  /** @default 20000 */
  readonly visitorHeadersTimeoutMs: number
  /** A response the visitor does not read for this long is cut. @default 30000 */
  readonly visitorSendTimeoutMs: number
}

function upstreamList (env: Env, name: string): string[] {
  const raw = envRequired(env, name, 'a comma-separated list of http(s)://host[:port] URLs')
  const list = raw.split(',').map(s => s.trim()).filter(s => s !== '').map(item => parseOriginUrl(name, item, raw))
  if (list.length === 0) throw new ConfigError(name, 'a comma-separated list of http(s)://host[:port] URLs', raw)
  return list
}

/** Reads and validates the sender's configuration from `env`; throws ConfigError. */
export function loadSenderConfig (env: Env = process.env): SenderConfig {
  const upstreams = upstreamList(env, 'COILGUN_UPSTREAM')
  // COILGUN_SECRET or COILGUN_SECRET_FILE; a sender presents the first (current) one.
  const secret = envSecrets(env, 'COILGUN_SECRET')[0]!
  const listen = envListen(env, 'COILGUN_LISTEN', DEFAULT_LISTEN, false)!
  const adminListen = envListen(env, 'COILGUN_ADMIN_LISTEN', DEFAULT_ADMIN_LISTEN, true)
  const codecs = envCodecs(env, 'COILGUN_CODECS')
  const logLevel = envLogLevel(env, 'COILGUN_LOG_LEVEL')
  const clientCert = envPemPair(env, 'COILGUN_UPSTREAM_CERT', 'COILGUN_UPSTREAM_KEY')
  const tls = envPemPair(env, 'COILGUN_TLS_CERT', 'COILGUN_TLS_KEY')
  const visitorDictionaries = envBoolean(env, 'COILGUN_VISITOR_DICTIONARIES', false)
  // Issue 18: dcz/dcb need node:zlib dictionaries (Node >= 22.19); asking for them
  // where they cannot work stops the process with one line instead of never working.
  const unavailable = visitorDictionaries ? visitorDictionariesUnavailable() : undefined
  if (unavailable !== undefined) throw new ConfigError('COILGUN_VISITOR_DICTIONARIES', `off on Node ${process.versions.node} (visitor dictionaries need dcz or dcb, from Node 22.19: ${unavailable})`, 'on')
  const swrRaw = env.COILGUN_VISITOR_DICTIONARY_SWR
  return Object.freeze({
    upstreams: Object.freeze(upstreams),
    secret,
    listen,
    adminListen,
    cacheMaxBytes: envBytes(env, 'COILGUN_CACHE_MAX_BYTES', DEFAULT_CACHE_MAX_BYTES, 1024),
    maxBodyBytes: envBytes(env, 'COILGUN_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 1024 * 1024 * 1024),
    codecs: Object.freeze(codecs as CodecName[]),
    logLevel,
    upstreamConnections: envInteger(env, 'COILGUN_UPSTREAM_CONNECTIONS', DEFAULT_UPSTREAM_CONNECTIONS, 1, 4096),
    upstreamTimeoutMs: envDurationMs(env, 'COILGUN_UPSTREAM_TIMEOUT_MS', DEFAULT_UPSTREAM_TIMEOUT_MS, 1, 3_600_000),
    connectTimeoutMs: envDurationMs(env, 'COILGUN_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
    upstreamHttp2: envUpstreamHttp2(env),
    upstreamCa: envPemFile(env, 'COILGUN_UPSTREAM_CA'),
    upstreamCert: clientCert?.cert,
    upstreamKey: clientCert?.key,
    diagnosticHeader: envBoolean(env, 'COILGUN_DIAGNOSTIC_HEADER', false),
    diagnosticToken: envOptionalToken(env, 'COILGUN_DIAGNOSTIC_TOKEN'),
    sessionCookies: envCookieNames(env, 'COILGUN_SESSION_COOKIES'),
    privatePaths: envPrivatePaths(env, 'COILGUN_PRIVATE_PATHS'),
    privateDeltas: envBoolean(env, 'COILGUN_PRIVATE_DELTAS', true),
    trustProxy: envBoolean(env, 'COILGUN_TRUST_PROXY', false),
    shutdownTimeoutMs: envDurationMs(env, 'COILGUN_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 0, 600_000),
    healthCheck: Object.freeze(envHealthCheck(env)),
    tlsCert: tls?.cert,
    tlsKey: tls?.key,
    visitorDictionaries,
    visitorDictionarySwrSeconds: swrRaw === undefined || swrRaw.trim() === '' ? undefined : envInteger(env, 'COILGUN_VISITOR_DICTIONARY_SWR', 0, 1, 31_536_000),
    via: envVia(env, 'COILGUN_VIA', DEFAULT_VIA),
    upstreamStreamConnections: envInteger(env, 'COILGUN_UPSTREAM_STREAM_CONNECTIONS', DEFAULT_UPSTREAM_STREAM_CONNECTIONS, 1, 4096),
    upstreamQueue: envInteger(env, 'COILGUN_UPSTREAM_QUEUE', DEFAULT_UPSTREAM_QUEUE, 0, 1_000_000),
    visitorHeadersTimeoutMs: envDurationMs(env, 'COILGUN_VISITOR_HEADERS_TIMEOUT_MS', DEFAULT_VISITOR_HEADERS_TIMEOUT_MS, 1_000, 600_000),
    visitorSendTimeoutMs: envDurationMs(env, 'COILGUN_VISITOR_SEND_TIMEOUT_MS', DEFAULT_VISITOR_SEND_TIMEOUT_MS, 1_000, 3_600_000)
  })
}

/**
 * COILGUN_UPSTREAM_HTTP2: `auto` (default, issue 17), `on` or `off`; the boolean
 * spellings accepted before `auto` existed still mean `on` and `off`.
 */
function envUpstreamHttp2 (env: Env): UpstreamHttp2 {
  const raw = env.COILGUN_UPSTREAM_HTTP2
  if (raw === undefined || raw.trim() === '') return DEFAULT_UPSTREAM_HTTP2
  if (raw.trim().toLowerCase() === 'auto') return 'auto'
  try {
    return envBoolean(env, 'COILGUN_UPSTREAM_HTTP2', false) ? 'on' : 'off'
  } catch {
    throw new ConfigError('COILGUN_UPSTREAM_HTTP2', 'auto, on or off', raw)
  }
}
