import type { ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * How often Node checks headersTimeout and requestTimeout (`connectionsCheckingInterval`,
 * 30 s by default): a visitor is cut at most this long after its deadline, so the
 * timeouts in SECURITY.md hold to the second (issue 12).
 */
export const VISITOR_TIMEOUT_CHECK_INTERVAL_MS = 1_000

/**
 * An onSend hook that arms the send timeout (COILGUN_VISITOR_SEND_TIMEOUT_MS) on the
 * visitor's socket, like nginx `send_timeout`: it bounds the time between two
 * successful writes, not the whole response. Node refreshes a socket's timeout on
 * every completed write, so it fires only when nothing was written for that long;
 * then the visitor is cut if bytes are waiting that it does not take. A response
 * that is idle because its upstream is (a long poll) is not cut here; undici's
 * bodyTimeout bounds that. Before issue 12 a visitor that never read held its
 * socket and an upstream connection forever.
 */
export function armSendTimeout (sendTimeoutMs: number): (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => void {
  return function armVisitorSendTimeout (_request, reply, payload, done) {
    reply.raw.setTimeout(sendTimeoutMs, cutStalledVisitor)
    done(null, payload)
  }
}

function cutStalledVisitor (this: ServerResponse): void {
  const socket = this.socket
  // A reset, not a FIN: a FIN would queue behind the bytes the visitor does not
  // take, leaving the connection (and its send buffer) to the kernel for minutes;
  // nginx's reset_timedout_connection does the same.
  if (socket !== null && socket.writableLength > 0) socket.resetAndDestroy()
}
