import { readFileSync } from 'node:fs'
import { CODEC_NAMES, isCodecName, MIN_SECRET_LENGTH } from '@coilgun/core'
import type { CodecName } from '@coilgun/core'

// The only place coilgun-sender reads process.env (STYLE rule 3). Every variable is
// validated here; a bad value stops the process with one line naming it.

export const DEFAULT_LISTEN = '0.0.0.0:8080'
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9090'
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
export const DEFAULT_UPSTREAM_CONNECTIONS = 32
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export type LogLevel = typeof LOG_LEVELS[number]

export interface HostPort { host: string, port: number }

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
  readonly upstreamHttp2: boolean
  /** PEM contents, read at start. */
  readonly upstreamCa: string | undefined
  readonly upstreamCert: string | undefined
  readonly upstreamKey: string | undefined
  readonly diagnosticHeader: boolean
  readonly trustProxy: boolean
  readonly shutdownTimeoutMs: number
}

/** A configuration problem: `message` is the one line printed before exit code 1. */
export class ConfigError extends Error {
  readonly code = 'COILGUN_ERR_INVALID_CONFIG'
  readonly variable: string
  constructor (variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}${got === undefined ? ', but it is not set' : `, got "${got.length > 80 ? got.slice(0, 77) + '...' : got}"`}`)
    this.variable = variable
  }
}

type Env = Record<string, string | undefined>

function required (env: Env, name: string, expected: string): string {
  const value = env[name]
  if (value === undefined || value.trim() === '') throw new ConfigError(name, expected, undefined)
  return value.trim()
}

function integer (env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const expected = `an integer from ${min} to ${max}`
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, expected, raw)
  const value = Number(raw.trim())
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ConfigError(name, expected, raw)
  return value
}

function boolean (env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'on', 'yes'].includes(v)) return true
  if (['0', 'false', 'off', 'no'].includes(v)) return false
  throw new ConfigError(name, 'on/off (or true/false, 1/0, yes/no)', raw)
}

/** `host:port`, `[v6]:port` or `:port`. */
export function parseHostPort (name: string, raw: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(raw.trim())
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535) throw new ConfigError(name, 'host:port (e.g. 0.0.0.0:8080, [::]:8080 or :8080)', raw)
  return { host: m[1] ?? (m[2] === '' || m[2] === undefined ? '0.0.0.0' : m[2]), port }
}

function upstreamList (env: Env, name: string): string[] {
  const raw = required(env, name, 'a comma-separated list of http(s)://host[:port] URLs')
  const list = raw.split(',').map(s => s.trim()).filter(s => s !== '')
  const out: string[] = []
  for (const item of list) {
    let url: URL
    try {
      url = new URL(item)
    } catch {
      throw new ConfigError(name, 'a comma-separated list of http(s)://host[:port] URLs', raw)
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
      throw new ConfigError(name, 'a comma-separated list of http(s)://host[:port] URLs (no path, query or credentials)', raw)
    }
    out.push(url.origin)
  }
  if (out.length === 0) throw new ConfigError(name, 'a comma-separated list of http(s)://host[:port] URLs', raw)
  return out
}

function pemFile (env: Env, name: string): string | undefined {
  const path = env[name]
  if (path === undefined || path.trim() === '') return undefined
  let text: string
  try {
    text = readFileSync(path.trim(), 'utf8')
  } catch (err) {
    throw new ConfigError(name, `a readable PEM file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, path)
  }
  if (!text.includes('-----BEGIN')) throw new ConfigError(name, 'a PEM file (-----BEGIN ...)', path)
  return text
}

/** Reads and validates the sender's configuration from `env`; throws ConfigError. */
export function loadSenderConfig (env: Env = process.env): SenderConfig {
  const upstreams = upstreamList(env, 'COILGUN_UPSTREAM')
  const secret = required(env, 'COILGUN_SECRET', `a shared secret of at least ${MIN_SECRET_LENGTH} visible ASCII characters`)
  if (secret.length < MIN_SECRET_LENGTH || !/^[\x21-\x7e]+$/.test(secret)) {
    throw new ConfigError('COILGUN_SECRET', `a shared secret of at least ${MIN_SECRET_LENGTH} visible ASCII characters`, `${secret.length} characters`)
  }
  const listen = parseHostPort('COILGUN_LISTEN', env.COILGUN_LISTEN ?? DEFAULT_LISTEN)
  const adminRaw = (env.COILGUN_ADMIN_LISTEN ?? DEFAULT_ADMIN_LISTEN).trim()
  const adminListen = adminRaw === 'off' ? undefined : parseHostPort('COILGUN_ADMIN_LISTEN', adminRaw)
  const codecsRaw = env.COILGUN_CODECS ?? CODEC_NAMES.join(',')
  const codecs = codecsRaw.split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (codecs.length === 0 || !codecs.every(isCodecName)) throw new ConfigError('COILGUN_CODECS', `a comma-separated list of ${CODEC_NAMES.join(', ')}`, codecsRaw)
  const logLevel = (env.COILGUN_LOG_LEVEL ?? 'info').trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError('COILGUN_LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, env.COILGUN_LOG_LEVEL)
  const upstreamCert = pemFile(env, 'COILGUN_UPSTREAM_CERT')
  const upstreamKey = pemFile(env, 'COILGUN_UPSTREAM_KEY')
  if ((upstreamCert === undefined) !== (upstreamKey === undefined)) {
    throw new ConfigError(upstreamCert === undefined ? 'COILGUN_UPSTREAM_CERT' : 'COILGUN_UPSTREAM_KEY', 'to be set together with its pair (client certificate and key)', undefined)
  }
  return Object.freeze({
    upstreams: Object.freeze(upstreams),
    secret,
    listen,
    adminListen,
    cacheMaxBytes: integer(env, 'COILGUN_CACHE_MAX_BYTES', DEFAULT_CACHE_MAX_BYTES, 1024),
    maxBodyBytes: integer(env, 'COILGUN_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 1024 * 1024 * 1024),
    codecs: Object.freeze(codecs as CodecName[]),
    logLevel: logLevel as LogLevel,
    upstreamConnections: integer(env, 'COILGUN_UPSTREAM_CONNECTIONS', DEFAULT_UPSTREAM_CONNECTIONS, 1, 4096),
    upstreamTimeoutMs: integer(env, 'COILGUN_UPSTREAM_TIMEOUT_MS', DEFAULT_UPSTREAM_TIMEOUT_MS, 1, 3_600_000),
    connectTimeoutMs: integer(env, 'COILGUN_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
    upstreamHttp2: boolean(env, 'COILGUN_UPSTREAM_HTTP2', false),
    upstreamCa: pemFile(env, 'COILGUN_UPSTREAM_CA'),
    upstreamCert,
    upstreamKey,
    diagnosticHeader: boolean(env, 'COILGUN_DIAGNOSTIC_HEADER', true),
    trustProxy: boolean(env, 'COILGUN_TRUST_PROXY', false),
    shutdownTimeoutMs: integer(env, 'COILGUN_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 0, 600_000)
  })
}
