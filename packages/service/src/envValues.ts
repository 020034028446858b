import { readFileSync } from 'node:fs'
import type { CodecName, Env, HostPort } from '@coilgun/core'
import { CODEC_NAMES, ConfigError, envInteger, isCodecName, isSecretSyntax, MIN_SECRET_LENGTH, splitHostPort } from '@coilgun/core'
import { DEFAULT_HEALTH_CHECK_HEALTHY_THRESHOLD, DEFAULT_HEALTH_CHECK_INTERVAL_MS, DEFAULT_HEALTH_CHECK_UNHEALTHY_THRESHOLD } from './activeHealthCheck.ts'

// Parsers for environment values shared by coilgun-sender and coilgun-listener.
// Each app reads process.env in its own config.ts only and passes the values here;
// every problem is a ConfigError whose message is the one line printed at exit.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]
export type { HostPort }


export function envRequired (env: Env, name: string, expected: string): string {
  const value = env[name]
  if (value === undefined || value.trim() === '') throw new ConfigError(name, expected, undefined)
  return value.trim()
}


export function envBoolean (env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'on', 'yes'].includes(v)) return true
  if (['0', 'false', 'off', 'no'].includes(v)) return false
  throw new ConfigError(name, 'on/off (or true/false, 1/0, yes/no)', raw)
}

/** `host:port`, `[v6]:port` or `:port`. */
export function parseHostPort (name: string, raw: string): HostPort {
  const parts = splitHostPort(raw)
  if (parts === undefined) throw new ConfigError(name, 'host:port (e.g. 0.0.0.0:8080, [::]:8080 or :8080)', raw)
  return { host: parts.host === '' ? '0.0.0.0' : parts.host, port: parts.port }
}

/** `host:port`, or `off` (undefined) for an optional listener. */
export function envListen (env: Env, name: string, fallback: string, allowOff: boolean): HostPort | undefined {
  const raw = (env[name] ?? fallback).trim()
  if (allowOff && raw === 'off') return undefined
  return parseHostPort(name, raw)
}

/** An origin URL: http(s)://host[:port], no path, query or credentials; returned as its origin. */
export function parseOriginUrl (name: string, raw: string, whole: string = raw): string {
  const expected = 'http(s)://host[:port] URLs (no path, query or credentials)'
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new ConfigError(name, expected, whole)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigError(name, expected, whole)
  }
  return url.origin
}

export function envSecret (env: Env, name: string): string {
  const expected = `a shared secret of at least ${MIN_SECRET_LENGTH} visible ASCII characters`
  const secret = envRequired(env, name, expected)
  if (!isSecretSyntax(secret)) throw new ConfigError(name, expected, `${secret.length} characters`)
  return secret
}

export function envCodecs (env: Env, name: string): CodecName[] {
  const raw = env[name] ?? CODEC_NAMES.join(',')
  const codecs = raw.split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (codecs.length === 0 || !codecs.every(isCodecName)) throw new ConfigError(name, `a comma-separated list of ${CODEC_NAMES.join(', ')}`, raw)
  return codecs as CodecName[]
}

export function envLogLevel (env: Env, name: string): LogLevel {
  const level = (env[name] ?? 'info').trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(name, `one of ${LOG_LEVELS.join(', ')}`, env[name])
  return level as LogLevel
}

/** Contents of a PEM file named by the variable, or undefined when unset. */
export function envPemFile (env: Env, name: string): string | undefined {
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

/** Certificate and key given together, or neither. */
export function envPemPair (env: Env, certName: string, keyName: string): { cert: string, key: string } | undefined {
  const cert = envPemFile(env, certName)
  const key = envPemFile(env, keyName)
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(cert === undefined ? certName : keyName, 'to be set together with its pair (certificate and key)', undefined)
  }
  return cert === undefined || key === undefined ? undefined : { cert, key }
}

// Sizes and durations accept units besides plain numbers (issue 16): `256MiB`,
// `64KB`, `30s`, `1.5m`. Binary (KiB, MiB, GiB) and decimal (KB, MB, GB) byte units
// are both accepted and mean what they say; a plain number keeps its old meaning
// (bytes, or the variable's own unit for durations), so no existing setting changes.
const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

function parseWithUnit (raw: string, units: Readonly<Record<string, number>>, plainUnit: number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim())
  if (m === null) return undefined
  const factor = m[2] === '' ? plainUnit : units[m[2]!.toLowerCase()]
  if (factor === undefined) return undefined
  const value = Number(m[1]) * factor
  return Number.isInteger(value) ? value : Math.round(value)
}

/** `268435456`, `256MiB`, `64KB`, `1GiB`: a byte count within [min, max]. */
export function parseBytes (name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = parseWithUnit(raw, BYTE_UNITS, 1)
  if (value === undefined || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `a size from ${min} to ${max} bytes (a number of bytes, or with a unit: B, KB, MB, GB, KiB, MiB, GiB)`, raw)
  }
  return value
}

/** `30000`, `30s`, `1.5m`: a duration in milliseconds within [min, max]; a plain number is in `plainUnitMs`. */
export function parseDurationMs (name: string, raw: string, min: number, max: number, plainUnitMs = 1): number {
  const value = parseWithUnit(raw, DURATION_UNITS, plainUnitMs)
  if (value === undefined || !Number.isSafeInteger(value) || value < min || value > max) {
    const plain = plainUnitMs === 1000 ? 'seconds' : 'milliseconds'
    throw new ConfigError(name, `a duration from ${min} to ${max} ms (a number of ${plain}, or with a unit: ms, s, m, h)`, raw)
  }
  return value
}

export function envBytes (env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? fallback : parseBytes(name, raw, min, max)
}

export function envDurationMs (env: Env, name: string, fallback: number, min: number, max: number, plainUnitMs = 1): number {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? fallback : parseDurationMs(name, raw, min, max, plainUnitMs)
}

/** The active health check settings shared by both apps (COILGUN_HEALTH_CHECK_*). */
export function envHealthCheck (env: Env): { intervalMs: number, unhealthyThreshold: number, healthyThreshold: number } {
  return {
    intervalMs: envDurationMs(env, 'COILGUN_HEALTH_CHECK_INTERVAL_MS', DEFAULT_HEALTH_CHECK_INTERVAL_MS, 10, 3_600_000),
    unhealthyThreshold: envInteger(env, 'COILGUN_HEALTH_CHECK_UNHEALTHY_THRESHOLD', DEFAULT_HEALTH_CHECK_UNHEALTHY_THRESHOLD, 1, 100),
    healthyThreshold: envInteger(env, 'COILGUN_HEALTH_CHECK_HEALTHY_THRESHOLD', DEFAULT_HEALTH_CHECK_HEALTHY_THRESHOLD, 1, 100)
  }
}

/**
 * The shared secrets, current first (issue 16): from `name` or from the file named
 * by `${name}_FILE` (the Docker/Kubernetes secrets convention; not both). In the
 * file, each non-empty line that does not start with `#` is a secret: the first is
 * the current one, the others previous ones an origin still accepts during a
 * rotation. `previousName` (listener) adds whitespace-separated previous secrets.
 */
export function envSecrets (env: Env, name: string, previousName?: string): string[] {
  const fileName = `${name}_FILE`
  const expected = `a shared secret of at least ${MIN_SECRET_LENGTH} visible ASCII characters`
  const direct = env[name]
  const path = env[fileName]
  const hasDirect = direct !== undefined && direct.trim() !== ''
  const hasFile = path !== undefined && path.trim() !== ''
  if (hasDirect && hasFile) throw new ConfigError(fileName, `to be unset when ${name} is set (the secret comes from one or the other)`, path)
  let secrets: string[]
  if (hasFile) {
    let text: string
    try {
      text = readFileSync(path.trim(), 'utf8')
    } catch (err) {
      throw new ConfigError(fileName, `a readable file holding the secret (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, path)
    }
    secrets = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
    if (secrets.length === 0) throw new ConfigError(fileName, `a file whose first line is ${expected}`, `${path} (empty)`)
    secrets.forEach((s, i) => {
      if (!isSecretSyntax(s)) throw new ConfigError(fileName, `a file of secrets, each ${expected}`, `line ${i + 1}: ${s.length} characters`)
    })
  } else {
    secrets = [envSecret(env, name)]
  }
  if (previousName !== undefined) {
    const raw = env[previousName]
    for (const s of raw === undefined ? [] : raw.split(/\s+/).filter(x => x !== '')) {
      if (!isSecretSyntax(s)) throw new ConfigError(previousName, `whitespace-separated secrets, each ${expected}`, `${s.length} characters`)
      secrets.push(s)
    }
  }
  return secrets
}
