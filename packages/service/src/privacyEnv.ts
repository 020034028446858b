import { ConfigError, isSecretSyntax, MIN_SECRET_LENGTH } from '@coilgun/core'
import type { Env } from '@coilgun/core'

// Environment values of the privacy settings (issue 11), shared by coilgun-sender and
// coilgun-listener. Only the apps' config.ts call these (STYLE rule 3).

// RFC 6265 section 4.1.1: a cookie-name is an RFC 9110 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function listOf (env: Env, name: string): string[] | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  return raw.split(',').map(s => s.trim()).filter(s => s !== '')
}

/** `COILGUN_PRIVATE_PATHS`: comma-separated paths starting with `/`. */
export function envPrivatePaths (env: Env, name: string): readonly string[] {
  const list = listOf(env, name)
  if (list === undefined) return Object.freeze([])
  for (const p of list) {
    if (!p.startsWith('/') || /[\s?#]/.test(p)) throw new ConfigError(name, 'a comma-separated list of paths starting with / (e.g. /account,/cart)', env[name])
  }
  return Object.freeze(list)
}

/** `COILGUN_SESSION_COOKIES`: comma-separated cookie names, or undefined (every cookie counts). */
export function envCookieNames (env: Env, name: string): readonly string[] | undefined {
  const list = listOf(env, name)
  if (list === undefined) return undefined
  if (list.length === 0 || !list.every(c => COOKIE_NAME.test(c))) throw new ConfigError(name, 'a comma-separated list of cookie names (e.g. sid,session)', env[name])
  return Object.freeze([...new Set(list)].sort())
}

/**
 * An optional operator token (`COILGUN_DIAGNOSTIC_TOKEN`): unset, or at least 16
 * visible ASCII characters, like the secret, so it cannot be guessed by visitors.
 */
export function envOptionalToken (env: Env, name: string): string | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const token = raw.trim()
  if (!isSecretSyntax(token)) throw new ConfigError(name, `at least ${MIN_SECRET_LENGTH} visible ASCII characters (e.g. from openssl rand -base64 24)`, `${token.length} characters`)
  return token
}
