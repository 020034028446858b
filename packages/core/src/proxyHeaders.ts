import type { IncomingHttpHeaders } from 'node:http'
import { INTERNAL_HEADERS } from './protocol.ts'

// Header hygiene at the edge (RFC 9110 section 7.6.1): hop-by-hop headers and
// Coilgun's internal headers are removed in both directions, so a visitor can never
// send the secret or delta headers to the origin, nor receive them.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])
const INTERNAL = new Set(INTERNAL_HEADERS)
/** Conditionals and ranges: on the delta path the sender answers them itself. */
const DELTA_PATH_DROPPED = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'accept-encoding', 'available-dictionary', 'dictionary-id'])
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'])

export type OutgoingHeaders = Record<string, string | string[]>

/** Names listed in `Connection` are hop-by-hop too (RFC 9110 section 7.6.1). */
function connectionListed (value: string | string[] | undefined): Set<string> {
  const out = new Set<string>()
  if (value === undefined) return out
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = part.trim().toLowerCase()
    if (name !== '') out.add(name)
  }
  return out
}

export interface ClientInfo {
  ip: string
  proto: 'http' | 'https'
  host: string | undefined
}

/**
 * Headers for the upstream request: the visitor's minus hop-by-hop, internal and
 * (unless trusted) forwarding headers, plus X-Forwarded-*. With `deltaPath`, also
 * minus conditionals, ranges and Accept-Encoding, which the sender handles itself.
 */
export function upstreamRequestHeaders (visitor: IncomingHttpHeaders, client: ClientInfo, trustProxy: boolean, deltaPath: boolean): OutgoingHeaders {
  const listed = connectionListed(visitor.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(visitor)) {
    // HTTP/2 pseudo-header fields (RFC 9113 section 8.3) are not HTTP fields.
    if (value === undefined || name.charCodeAt(0) === 0x3a) continue
    if (HOP_BY_HOP.has(name) || INTERNAL.has(name) || listed.has(name)) continue
    if (FORWARDED.has(name) && !trustProxy) continue
    if (deltaPath && DELTA_PATH_DROPPED.has(name)) continue
    out[name] = value
  }
  const prior = trustProxy ? visitor['x-forwarded-for'] : undefined
  out['x-forwarded-for'] = prior === undefined ? client.ip : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client.ip}`
  if (!trustProxy || out['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = client.proto
  if ((!trustProxy || out['x-forwarded-host'] === undefined) && client.host !== undefined) out['x-forwarded-host'] = client.host
  return out
}

/**
 * Headers for the visitor: the upstream's minus hop-by-hop and internal ones, and
 * minus the framing headers the sender recomputes (length, coding).
 */
export function visitorResponseHeaders (upstream: Record<string, string | string[] | undefined>, dropFraming: boolean): OutgoingHeaders {
  const listed = connectionListed(upstream.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue
    if (HOP_BY_HOP.has(name) || INTERNAL.has(name) || listed.has(name)) continue
    if (dropFraming && (name === 'content-length' || name === 'content-encoding' || name === 'etag')) continue
    out[name] = value
  }
  return out
}

/** Any header map minus hop-by-hop headers (and those named in its Connection). */
export function withoutHopByHop (headers: Record<string, string | string[] | undefined>, drop?: ReadonlySet<string>): OutgoingHeaders {
  const listed = connectionListed(headers.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || drop?.has(name) === true) continue
    out[name] = value
  }
  return out
}
