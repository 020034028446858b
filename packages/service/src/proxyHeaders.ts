import type { IncomingHttpHeaders } from 'node:http'
import { connectionOptions, isHopByHop } from './hopByHop.ts'
import { headerText, INTERNAL_HEADERS } from '@coilgun/core'

// Header hygiene at the edge (RFC 9110 section 7.6.1): hop-by-hop headers and
// Coilgun's internal headers are removed in both directions, so a visitor can never
// send the secret or delta headers to the origin, nor receive them.

const INTERNAL = new Set(INTERNAL_HEADERS)
/** Conditionals and ranges: on the delta path the sender answers them itself. */
const DELTA_PATH_DROPPED = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'accept-encoding', 'available-dictionary', 'dictionary-id'])

/**
 * Fields that say who the client is and which proxies the request went through.
 * A visitor can write any of them, so they are believed only from a trusted hop
 * (COILGUN_TRUST_PROXY); otherwise they are replaced, never appended to (issue 13).
 */
function isForwardingField (name: string): boolean {
  return name.startsWith('x-forwarded-') || name === 'forwarded' || name === 'x-real-ip' || name === 'true-client-ip' || name === 'via'
}

export type OutgoingHeaders = Record<string, string | string[]>

export interface ClientInfo {
  /**
   * The address this hop received the request from (the socket's peer): what it
   * appends to X-Forwarded-For, as each proxy does; also X-Real-IP when untrusted.
   */
  ip: string
  proto: 'http' | 'https'
  host: string | undefined
  /**
   * The Via entry this hop appends (RFC 9110 section 7.6.3), from `viaEntry()`;
   * undefined when Via is switched off.
   */
  via?: string | undefined
}

/**
 * Headers for the upstream request: the visitor's minus hop-by-hop, internal and
 * (unless trusted) forwarding headers, plus X-Forwarded-For/-Proto/-Host,
 * X-Real-IP and Via. From a trusted hop the forwarding headers are kept and
 * X-Forwarded-For and Via are appended to. With `deltaPath`, also minus
 * conditionals, ranges and Accept-Encoding, which the sender handles itself.
 * `Host` is always kept, even when `Connection` lists it.
 */
export function upstreamRequestHeaders (visitor: IncomingHttpHeaders, client: ClientInfo, trustProxy: boolean, deltaPath: boolean): OutgoingHeaders {
  const listed = connectionOptions(visitor.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(visitor)) {
    // HTTP/2 pseudo-header fields (RFC 9113 section 8.3) are not HTTP fields.
    if (value === undefined || name.charCodeAt(0) === 0x3a) continue
    if (isHopByHop(name, listed) || INTERNAL.has(name)) continue
    if (!trustProxy && isForwardingField(name)) continue
    if (deltaPath && DELTA_PATH_DROPPED.has(name)) continue
    out[name] = value
  }
  const prior = headerText(out['x-forwarded-for'])
  out['x-forwarded-for'] = prior === undefined ? client.ip : `${prior}, ${client.ip}`
  if (out['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = client.proto
  if (out['x-forwarded-host'] === undefined && client.host !== undefined) out['x-forwarded-host'] = client.host
  if (out['x-real-ip'] === undefined) out['x-real-ip'] = client.ip
  if (client.via !== undefined) {
    const via = headerText(out.via)
    out.via = via === undefined || via.trim() === '' ? client.via : `${via}, ${client.via}`
  }
  return out
}

/**
 * Headers for the visitor: the upstream's minus hop-by-hop and internal ones, and
 * minus the framing headers the sender recomputes (length, coding).
 */
export function visitorResponseHeaders (upstream: Record<string, string | string[] | undefined>, dropFraming: boolean): OutgoingHeaders {
  const listed = connectionOptions(upstream.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue
    if (isHopByHop(name, listed) || INTERNAL.has(name)) continue
    if (dropFraming && (name === 'content-length' || name === 'content-encoding' || name === 'etag')) continue
    out[name] = value
  }
  return out
}

/** Any header map minus hop-by-hop headers (and those named in its Connection, never Host). */
export function withoutHopByHop (headers: Record<string, string | string[] | undefined>, drop?: ReadonlySet<string>): OutgoingHeaders {
  const listed = connectionOptions(headers.connection)
  const out: OutgoingHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name, listed) || drop?.has(name) === true) continue
    out[name] = value
  }
  return out
}
