import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

// Request ids (issue 16): one id per request, in the access line and passed to the
// origin as `X-Request-Id`, so one page view can be followed from the edge through
// the listener to the application's own logs. An id that came with the request is
// kept only from a trusted hop (a proxy in front, or the sender for the listener);
// it must look like an id, so a visitor cannot write arbitrary text into the logs.

export const REQUEST_ID_HEADER = 'x-request-id'
/** Longest id accepted from a trusted hop (a UUID is 36; some proxies prefix it). */
export const MAX_REQUEST_ID_LENGTH = 128
const ID_FORM = /^[A-Za-z0-9._:@/+=-]+$/

/** Fastify's `genReqId`: the trusted hop's `X-Request-Id` when it looks like one, else a random UUID. */
export function requestIdGenerator (trustHeader: boolean): (req: IncomingMessage) => string {
  return function coilgunRequestId (req: IncomingMessage): string {
    if (trustHeader) {
      const given = req.headers[REQUEST_ID_HEADER]
      if (typeof given === 'string' && given.length <= MAX_REQUEST_ID_LENGTH && ID_FORM.test(given)) return given
    }
    return randomUUID()
  }
}
