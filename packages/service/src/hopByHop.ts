import { ConfigError } from '@coilgun/core'

// Which header fields stop at this hop (RFC 9110 section 7.6.1), and the Via entry a
// proxy adds (RFC 9110 section 7.6.3). Shared by the sender, the listener and the
// upgrade tunnel, so every path drops the same fields.

/**
 * Hop-by-hop fields: they describe one connection, never the message, and are
 * removed in both directions. `Expect` is here too: the sender and the listener
 * answer `100-continue` themselves (Node's server sends `100 Continue` before the
 * body is read, RFC 9110 section 10.1.1) and stream the body on, so the
 * expectation is met at this hop; forwarding it would also make undici refuse the
 * request (issue 13).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

/**
 * Never treated as a connection option even when `Connection` names it. RFC 9110
 * section 7.6.1 forbids listing a field meant for every recipient; `Host` chooses
 * the site (virtual hosts, the listener's map), so `Connection: host` must not make
 * the upstream see its own address instead (issue 13).
 */
const NEVER_CONNECTION_OPTIONS: ReadonlySet<string> = new Set(['host'])

/** Names listed in `Connection` (lower case): hop-by-hop as well, except `Host`. */
export function connectionOptions (value: string | string[] | undefined): Set<string> {
  const out = new Set<string>()
  if (value === undefined) return out
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = part.trim().toLowerCase()
    if (name !== '' && !NEVER_CONNECTION_OPTIONS.has(name)) out.add(name)
  }
  return out
}

/** True when `name` (lower case) stops at this hop, given the message's `Connection` options. */
export function isHopByHop (name: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || (listed.size > 0 && listed.has(name))
}

/**
 * The Via entry this hop appends (RFC 9110 section 7.6.3): the protocol version it
 * received the message with (`1.1`, `1.0`, `2`) and a pseudonym for itself.
 */
export function viaEntry (httpVersion: string, pseudonym: string): string {
  return `${httpVersion === '2.0' ? '2' : httpVersion} ${pseudonym}`
}

/** The form a Via pseudonym takes: an RFC 9110 token (section 5.6.2). */
const PSEUDONYM = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/

/**
 * COILGUN_VIA: the pseudonym this hop writes into Via, or `off` (undefined) for no
 * Via at all (e.g. when the origin must not learn that a proxy is in front).
 */
export function envVia (env: Record<string, string | undefined>, name: string, fallback: string): string | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = raw.trim()
  if (value.toLowerCase() === 'off') return undefined
  if (!PSEUDONYM.test(value)) throw new ConfigError(name, 'a pseudonym for Via (letters, digits, - . _ and other token characters) or off', raw)
  return value
}
