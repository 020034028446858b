import zlib from 'node:zlib'
import { request } from 'undici'
import type { Dispatcher } from 'undici'

// One visitor request as the replay makes it: the whole answer, decoded as a
// browser would, so the bench can check it byte for byte against the version the
// origin served.

export interface VisitorAnswer {
  readonly status: number
  /** Body bytes as received (compressed or not). */
  readonly receivedBytes: number
  /** The body after Content-Encoding was undone. */
  readonly body: Buffer
  readonly contentEncoding: string
  /** The sender's diagnostic header (`Coilgun: delta; codec=vcdiff; ...`), if any. */
  readonly diagnostic: string | undefined
  readonly ms: number
}

function decode (body: Buffer, coding: string): Buffer {
  switch (coding) {
    case 'br': return zlib.brotliDecompressSync(body)
    case 'gzip': return zlib.gunzipSync(body)
    case 'deflate': return zlib.inflateSync(body)
    case 'identity':
    case '': return body
    default: throw new Error(`unexpected Content-Encoding ${coding}`)
  }
}

function headerText (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

export async function fetchAsVisitor (dispatcher: Dispatcher, url: string, headers: Readonly<Record<string, string>>): Promise<VisitorAnswer> {
  const started = performance.now()
  const res = await request(url, { dispatcher, method: 'GET', headers: { ...headers } })
  const body = Buffer.from(await res.body.arrayBuffer())
  const ms = performance.now() - started
  const contentEncoding = (headerText(res.headers['content-encoding']) ?? '').trim().toLowerCase()
  return { status: res.statusCode, receivedBytes: body.length, body: decode(body, contentEncoding), contentEncoding: contentEncoding === '' ? 'identity' : contentEncoding, diagnostic: headerText(res.headers.coilgun), ms }
}

/**
 * What kind of answer crossed the link: `delta vcdiff+gzip`, `not-modified`,
 * `full` for Coilgun (from its diagnostic header), `full br` or `full identity`
 * for a plain proxy (from the Content-Encoding the origin chose).
 */
export function answerKind (answer: VisitorAnswer): string {
  if (answer.diagnostic === undefined) return `full ${answer.contentEncoding}`
  const parts = answer.diagnostic.split(';').map(p => p.trim())
  const codec = parts.find(p => p.startsWith('codec='))
  return codec === undefined ? parts[0]! : `${parts[0]!} ${codec.slice('codec='.length)}`
}

/**
 * Body bytes of the answer that crossed the link: the sender's `up=` for Coilgun
 * (a delta, or the full page compressed for the link); for a plain proxy the body
 * the visitor got, which the proxy passed on untouched.
 */
export function linkBodyBytes (answer: VisitorAnswer): number {
  return answer.diagnostic === undefined ? answer.receivedBytes : upstreamBytesOf(answer.diagnostic)
}

/** The `up=` figure of a sender's diagnostic header: body bytes the link carried; NaN without one. */
export function upstreamBytesOf (diagnostic: string): number {
  const up = /(?:^|;)\s*up=(\d+)/.exec(diagnostic)
  return up === null ? Number.NaN : Number(up[1])
}

/** The sender's `ut=`: ms from its request to the origin until the answer was complete (NaN without the header). */
export function upstreamMs (answer: VisitorAnswer): number {
  if (answer.diagnostic === undefined) return Number.NaN
  const ut = /(?:^|;)\s*ut=(\d+(?:\.\d+)?)/.exec(answer.diagnostic)
  return ut === null ? Number.NaN : Number(ut[1])
}
