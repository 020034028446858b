import type { IncomingHttpHeaders } from 'node:http'
import { parseIfNoneMatch, parseEntityTag, weakMatch } from '@coilgun/core'
import type { OutgoingHeaders } from '@coilgun/service'

/**
 * RFC 9110 section 13.1.2 / 13.1.3 for a GET the sender answers itself: true when
 * the visitor's copy is current, so a 304 is due. If-None-Match (weak comparison)
 * takes precedence; If-Modified-Since is only evaluated without it.
 */
export function isVisitorFresh (request: IncomingHttpHeaders, response: OutgoingHeaders): boolean {
  const inm = request['if-none-match']
  if (inm !== undefined) {
    const etagValue = response.etag
    const parsed = parseIfNoneMatch(inm)
    if (parsed.any) return true
    if (typeof etagValue !== 'string') return false
    const etag = parseEntityTag(etagValue)
    return etag !== undefined && parsed.tags.some(tag => weakMatch(tag, etag))
  }
  const ims = request['if-modified-since']
  const lastModified = response['last-modified']
  if (ims === undefined || typeof lastModified !== 'string') return false
  const since = Date.parse(ims)
  const modified = Date.parse(lastModified)
  if (Number.isNaN(since) || Number.isNaN(modified)) return false
  return modified <= since
}
