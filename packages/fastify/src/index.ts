import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { ERR_INVALID_OPTION, OriginResponder, parseHost, readBounded, resolveOriginOptions, resourceKey } from '@coilgun/core'
import type { OriginAnswer, OriginOptions, OriginResponseInfo } from '@coilgun/core'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { Readable } from 'node:stream'

/** Options of `@coilgun/fastify`: the shared origin options of `@coilgun/core`. */
export type CoilgunFastifyOptions = OriginOptions

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` opts a route out of Coilgun: its responses are never delta-encoded. */
    coilgun?: boolean
  }
  interface FastifyRequest {
    /** True when the request comes from an authenticated Coilgun sender. */
    coilgunSender: boolean
    /** The sender's If-None-Match (Coilgun versions), hidden from the app. */
    coilgunIfNoneMatch: string | undefined
  }
  interface FastifyInstance {
    coilgun: { readonly responder: OriginResponder }
  }
}

/**
 * Answers authenticated Coilgun senders with deltas (docs/PROTOCOL.md). Register it
 * before `@fastify/compress`: it needs the identity body, and it compresses what it
 * sends to senders itself, so compress never double-encodes a delta.
 */
const coilgunPlugin: FastifyPluginAsync<CoilgunFastifyOptions> = async function coilgunPlugin (fastify, opts) {
  const log = opts.logger ?? fastify.log
  const options = await resolveOriginOptions(opts)
  const responder = new OriginResponder(options, log)
  for (const { name, reason } of options.unavailableCodecs) fastify.log.info({ codec: name, reason }, 'coilgun: codec unavailable, not offered')
  const maxBodyBytes = options.eligibility.maxBodyBytes

  fastify.decorate('coilgun', { responder })
  fastify.decorateRequest('coilgunSender', false)
  fastify.decorateRequest('coilgunIfNoneMatch', undefined)

  fastify.addHook('onRoute', function coilgunOnRoute (route: RouteOptions) {
    const flag = (route.config as { coilgun?: unknown } | undefined)?.coilgun
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new ERR_INVALID_OPTION(`config.coilgun of ${route.method.toString()} ${route.url}`, 'expected a boolean')
    }
  })

  fastify.addHook('onRequest', function coilgunOnRequest (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    if (request.headers['coilgun-secret'] !== undefined) {
      request.coilgunSender = responder.requestEligible({ method: request.method, headers: request.headers, resourceKey: '', remoteAddress: request.ip })
      // The application never sees the secret (logs, error reports).
      delete request.headers['coilgun-secret']
      // Issue 11: a sender's request names its resource by Host; one that is not a
      // valid host would not have a key of its own.
      if (request.coilgunSender && parseHost(hostOf(request)) === undefined) {
        reply.code(400).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send('Bad Request: invalid Host\n')
        return
      }
      if (request.coilgunSender) {
        // The sender's If-None-Match names Coilgun versions, not the app's: hidden
        // so the app's own conditional handling cannot answer 304 for us.
        request.coilgunIfNoneMatch = request.headers['if-none-match']
        delete request.headers['if-none-match']
      }
    }
    done()
  })

  fastify.addHook('onSend', async function coilgunOnSend (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (!request.coilgunSender || payload === null || payload === undefined) return payload
    if (request.routeOptions.config.coilgun === false) return payload
    const response: OriginResponseInfo = {
      status: reply.statusCode,
      contentType: headerString(reply.getHeader('content-type')),
      contentEncoding: headerString(reply.getHeader('content-encoding')),
      contentRange: headerString(reply.getHeader('content-range')),
      etag: headerString(reply.getHeader('etag')),
      vary: headerString(reply.getHeader('vary')),
      headers: reply.getHeaders()
    }
    const declared = Number(reply.getHeader('content-length'))
    if (!responder.responseEligible(response, Number.isFinite(declared) ? declared : undefined)) return payload

    let body: Buffer
    if (typeof payload === 'string') body = Buffer.from(payload)
    else if (Buffer.isBuffer(payload)) body = payload
    else if (payload instanceof Uint8Array) body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
    else if (payload instanceof Readable) {
      const read = await readBounded(payload, maxBodyBytes)
      if (!read.complete) return read.replay
      body = read.body
    } else return payload
    if (!options.eligibility.sizeEligible(body.length)) return body

    const answer = await responder.answer({
      method: request.method,
      headers: { ...request.headers, 'if-none-match': request.coilgunIfNoneMatch },
      resourceKey: resourceKey(parseHost(hostOf(request))!, request.url),
      path: request.url,
      remoteAddress: request.ip
    }, response, body)
    applyAnswer(request, reply, answer)
    return answer.body === undefined ? null : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength)
  })

  fastify.addHook('onClose', async function coilgunOnClose () {
    await responder.close()
  })
}

function applyAnswer (request: FastifyRequest, reply: FastifyReply, answer: OriginAnswer): void {
  reply.code(answer.status)
  for (const name of answer.remove) reply.removeHeader(name)
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value)
  // What Coilgun sends a sender is final: @fastify/compress must not re-encode a
  // delta (RFC 3229 IM already says how it is encoded) nor an RFC 9842 body.
  request.headers['x-no-compression'] = '1'
}

/** The request's Host: `Host` on HTTP/1.1, `:authority` on HTTP/2 (RFC 9113 section 8.3.1). */
function hostOf (request: FastifyRequest): string | string[] | undefined {
  return request.headers.host ?? request.headers[':authority']
}

function headerString (value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

export const coilgun = fp(coilgunPlugin, { fastify: '5.x', name: '@coilgun/fastify' })
export default coilgun
