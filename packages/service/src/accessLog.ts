import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RequestNotes } from './requestNotes.ts'

/**
 * What an app did for one request, noted where it is decided (RequestNotes) and read
 * once by the access line.
 */
export interface RequestNote<Outcome extends string> {
  outcome: Outcome
  codec?: string | undefined
  /** Body bytes on the Coilgun link: received from the upstream (sender), sent to the sender (listener). */
  linkBytes?: number | undefined
  /** Page bytes: served (sender), received from the origin (listener). */
  size?: number | undefined
  /** Time waited for the next hop: the upstream's whole answer (sender), the origin's headers (listener). */
  waitedMs?: number | undefined
  /** The coded error of a fallback or failure. */
  why?: string | undefined
}

/**
 * One access line per request (issue 16), replacing Fastify's two (`incoming request`,
 * `request completed`): method, path, status, then what the app noted it did
 * (outcome, codec, link bytes `up`, page bytes `size`, the next hop's time under
 * `waitedField`: `ut` for the sender's upstream, `ot` for the listener's origin, and
 * `why`), the time to answer (`ms`) and, from the logger, the request id. A request
 * without a note was answered by the app itself: `rejected`, or `error` for a 5xx.
 * `count` counts the request with its outcome and final status.
 */
export function registerAccessLog<Outcome extends string> (
  app: FastifyInstance,
  notes: RequestNotes<RequestNote<Outcome>>,
  waitedField: 'ut' | 'ot',
  count: (outcome: Outcome | 'error' | 'rejected', status: number) => void
): void {
  app.addHook('onResponse', function coilgunAccessLine (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const status = reply.statusCode
    const note = notes.get(request.raw)
    const outcome = note?.outcome ?? (status >= 500 ? 'error' : 'rejected')
    count(outcome, status)
    request.log.info({
      method: request.method,
      path: request.url,
      status,
      outcome,
      codec: note?.codec,
      up: note?.linkBytes,
      size: note?.size,
      [waitedField]: wholeMs(note?.waitedMs),
      why: note?.why,
      ms: Math.round(reply.elapsedTime)
    }, 'access')
    done()
  })
  // Fastify's own per-request lines are off (logController), its error line with
  // them: an unexpected error is still logged, with its stack, under the request id.
  app.addHook('onError', function coilgunRequestError (request: FastifyRequest, _reply: FastifyReply, error: Error, done: () => void) {
    request.log.error({ err: error }, 'request failed')
    done()
  })
}

/** Whole milliseconds, or undefined (a field left out of the line). */
function wholeMs (ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms)
}
