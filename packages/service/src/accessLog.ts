import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** What an app says about one request for its access line: the outcome first, then its own fields. */
export interface AccessLine<Outcome extends string = string> {
  readonly outcome: Outcome
  readonly codec?: string | undefined
  readonly [field: string]: unknown
}

/**
 * One access line per request (issue 16), replacing Fastify's two (`incoming request`,
 * `request completed`): method, path, status, then what the app says it did
 * (`describe`: outcome, codec, link and page bytes, upstream or origin time), the
 * time to answer (`ms`) and, from the logger, the request id. `count` counts the
 * request with its outcome and final status.
 */
export function registerAccessLog<Outcome extends string> (
  app: FastifyInstance,
  describe: (raw: IncomingMessage, status: number) => AccessLine<Outcome>,
  count: (outcome: Outcome, status: number) => void
): void {
  app.addHook('onResponse', function coilgunAccessLine (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const status = reply.statusCode
    const line = describe(request.raw, status)
    count(line.outcome, status)
    request.log.info({ method: request.method, path: request.url, status, ...line, ms: Math.round(reply.elapsedTime) }, 'access')
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
export function wholeMs (ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms)
}
