import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SenderMetrics } from './metrics.ts'
import { requestNote } from './requestOutcome.ts'

/**
 * One access line per visitor request (issue 16), replacing Fastify's two
 * (`incoming request`, `request completed`): method, path, status, what Coilgun did
 * (outcome, codec), link bytes (`up`, from the origin), page bytes (`size`),
 * upstream time (`ut`) and the request id (`reqId`). The same hook counts the
 * request with its final status class.
 */
export function registerAccessLog (app: FastifyInstance, metrics: SenderMetrics): void {
  app.addHook('onResponse', function coilgunAccessLine (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const note = requestNote(request.raw)
    const status = reply.statusCode
    // No note: the sender answered by itself (a refused request, shutting down).
    const outcome = note?.outcome ?? (status >= 500 ? 'error' : 'rejected')
    metrics.countRequest(outcome, status)
    request.log.info({
      method: request.method,
      path: request.url,
      status,
      outcome,
      codec: note?.codec,
      up: note?.upstreamBytes,
      size: note?.size,
      ut: note?.upstreamMs === undefined ? undefined : Math.round(note.upstreamMs),
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
