import { OWN_ERROR_HEADERS } from '@coilgun/service'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { parseHost } from '@coilgun/core'

/**
 * Issue 11: the cache key is the visitor's Host plus the target, so a Host that is
 * not RFC 9110 section 7.2 syntax (a space, `/`, `@`, empty, longer than a DNS name)
 * could make two URLs share one key. Such a request gets `400` and reaches nobody:
 * neither the delta path nor the passthrough. Registered after the check for a
 * repeated Host.
 */
export function refuseInvalidHost (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (parseHost(request.headers.host) === undefined) {
    reply.code(400).header('connection', 'close').headers(OWN_ERROR_HEADERS).send('Bad Request: invalid Host\n')
    return
  }
  done()
}
