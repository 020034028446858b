// The origin pipeline every adapter shares (issue 14): the Fastify plugin, the Express
// middleware and the listener are only the glue between their framework and these
// two steps, "a sender's request arrived" and "the app answered".
import type { IncomingHttpHeaders } from 'node:http'
import { parseHost, resourceKey } from '../cacheKey.ts'
import { headerText } from '../headers/fieldSyntax.ts'
import { SECRET_HEADER } from '../protocol.ts'
import type { OriginAnswer, OriginRequestInfo, OriginResponder, OriginResponseInfo } from './originResponder.ts'

/** A request as it reaches the adapter, before the application sees it. */
export interface ArrivingRequest {
  method: string
  /** The request's headers: the secret, and a sender's If-None-Match, are removed from this object. */
  headers: IncomingHttpHeaders
  /** The request target (path and query), as the framework reports it. */
  url: string
  remoteAddress?: string | undefined
  /**
   * Prefixes the resource key as `scope|key`: the listener's origin URL, since one
   * host may be routed to different origins over time.
   * @default no prefix
   */
  scope?: string | undefined
  /**
   * Asked only for an authenticated sender with a valid Host: false hands the
   * request to the app as is, If-None-Match included (the Express `eligible` option).
   * @default every sender's request is answered
   */
  answerable?: (() => boolean) | undefined
}

/**
 * What `senderRequestArrived` decided: `app` hands the request to the application
 * and leaves its response alone; `bad-host` is answered 400 by the adapter (issue 11);
 * `sender` carries the exchange the answer step needs.
 */
export type SenderArrival =
  | { readonly kind: 'app' }
  | { readonly kind: 'bad-host' }
  | { readonly kind: 'sender', readonly exchange: SenderExchange }

const TO_APP: SenderArrival = Object.freeze({ kind: 'app' })
const BAD_HOST: SenderArrival = Object.freeze({ kind: 'bad-host' })

/**
 * "A sender's request arrived": authenticates the secret (a GET from an
 * authenticated sender is the only request Coilgun answers differently), removes
 * the secret from `request.headers` so the application never sees it (logs, error
 * reports), and, for a sender, hides its If-None-Match: it names Coilgun versions,
 * not the app's, and the app's own conditional handling must not answer 304 for us.
 * The Host (or HTTP/2 `:authority`, RFC 9113 section 8.3.1) must be RFC 9110
 * section 7.2 syntax, since it names the resource's key (issue 11).
 */
export function senderRequestArrived (responder: OriginResponder, request: ArrivingRequest): SenderArrival {
  const { headers } = request
  if (headers[SECRET_HEADER] === undefined) return TO_APP
  const sender = responder.requestEligible({ method: request.method, headers, remoteAddress: request.remoteAddress })
  delete headers[SECRET_HEADER]
  if (!sender) return TO_APP
  const host = parseHost(headers.host ?? headers[':authority'])
  if (host === undefined) return BAD_HOST
  if (request.answerable !== undefined && !request.answerable()) return TO_APP
  const ifNoneMatch = headers['if-none-match']
  delete headers['if-none-match']
  const key = resourceKey(host, request.url)
  return {
    kind: 'sender',
    exchange: new SenderExchange(responder, {
      method: request.method,
      // A view for the answer step only; the app keeps `headers` without the sender's tags.
      headers: { ...headers, 'if-none-match': ifNoneMatch },
      resourceKey: request.scope === undefined ? key : `${request.scope}|${key}`,
      path: request.url,
      remoteAddress: request.remoteAddress
    })
  }
}

/** One authenticated sender's GET, from its arrival to the answer. */
export class SenderExchange {
  readonly #responder: OriginResponder
  /** The request as the answer step sees it (with the sender's If-None-Match). */
  readonly request: OriginRequestInfo
  /** The most body an adapter buffers; beyond it the response goes out untouched. */
  readonly maxBodyBytes: number

  constructor (responder: OriginResponder, request: OriginRequestInfo) {
    this.#responder = responder
    this.request = request
    this.maxBodyBytes = responder.options.eligibility.maxBodyBytes
  }

  /**
   * The app's response head (status and headers, lower-case names): what to pass
   * to `answered`, or undefined when Coilgun leaves the response alone (not 200,
   * already content-coded, a range, an ineligible type or declared length).
   */
  responseHead (status: number, headers: Readonly<Record<string, unknown>>): OriginResponseInfo | undefined {
    const head: OriginResponseInfo = {
      status,
      contentType: headerText(headers['content-type']),
      contentEncoding: headerText(headers['content-encoding']),
      contentRange: headerText(headers['content-range']),
      etag: headerText(headers.etag),
      vary: headerText(headers.vary),
      headers: headers as OriginResponseInfo['headers']
    }
    const declared = Number(headers['content-length'])
    return this.#responder.responseEligible(head, Number.isFinite(declared) ? declared : undefined) ? head : undefined
  }

  /**
   * "The app answered" with its whole identity body: the answer to send instead,
   * or undefined when the body's size is not eligible and the app's response goes
   * out unchanged.
   */
  async answered (head: OriginResponseInfo, body: Uint8Array): Promise<OriginAnswer | undefined> {
    if (!this.#responder.options.eligibility.sizeEligible(body.length)) return undefined
    return await this.#responder.answer(this.request, head, body)
  }
}
