import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { ERR_INVALID_OPTION, OriginResponder, readBounded, resolveOriginOptions, senderRequestArrived } from '@coilgun/core'
import type { OriginAnswer, OriginOptions, SenderExchange } from '@coilgun/core'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { Readable } from 'node:stream'

/** Options of `@coilgun/fastify`: the shared origin options of `@coilgun/core`. */
export type CoilgunFastifyOptions = OriginOptions

/** Set by `onRoute` on the config of a route declared with `config: { coilgun: false }`. */
const OPTED_OUT = Symbol('coilgun opted out')

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` opts a route out of Coilgun: its responses are never delta-encoded. */
    coilgun?: boolean
    /** Resolved from `coilgun` when the route is registered (internal to the plugin). */
    [OPTED_OUT]?: true
  }
  interface FastifyRequest {
    /** True when the request comes from an authenticated Coilgun sender. */
    coilgunSender: boolean
    /** The sender's request on its way to the answer (internal to the plugin). */
    coilgunExchange: SenderExchange | null
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

  fastify.decorate('coilgun', { responder })
  fastify.decorateRequest('coilgunSender', false)
  fastify.decorateRequest('coilgunExchange', null)

  // The route opt-out is resolved once, when the route is registered, and kept on
  // the route's config (as @fastify/compress does). The answer hook stays global so
  // it runs where the plugin was registered in the app's onSend chain.
  fastify.addHook('onRoute', function coilgunOnRoute (route: RouteOptions) {
    const flag = (route.config as { coilgun?: unknown } | undefined)?.coilgun
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new ERR_INVALID_OPTION(`config.coilgun of ${route.method.toString()} ${route.url}`, 'expected a boolean')
    }
    if (flag === false) route.config = { ...route.config, [OPTED_OUT]: true }
  })

  fastify.addHook('onRequest', function coilgunOnRequest (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const arrival = senderRequestArrived(responder, { method: request.method, headers: request.headers, url: request.url, remoteAddress: request.ip })
    if (arrival.kind === 'bad-host') {
      reply.code(400).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send('Bad Request: invalid Host\n')
      return
    }
    if (arrival.kind === 'sender') {
      request.coilgunSender = true
      request.coilgunExchange = arrival.exchange
    }
    done()
  })

  fastify.addHook('onSend', async function coilgunOnSend (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const exchange = request.coilgunExchange
    if (exchange === null || payload === null || payload === undefined) return payload
    if (request.routeOptions.config[OPTED_OUT] === true) return payload
    const head = exchange.responseHead(reply.statusCode, reply.getHeaders())
    if (head === undefined) return payload

    let body: Buffer
    if (typeof payload === 'string') body = Buffer.from(payload)
    else if (Buffer.isBuffer(payload)) body = payload
    else if (payload instanceof Uint8Array) body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
    else if (payload instanceof Readable) {
      const read = await readBounded(payload, exchange.maxBodyBytes)
      if (!read.complete) return read.replay
      body = read.body
    } else return payload

    const answer = await exchange.answered(head, body)
    if (answer === undefined) return body
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

export const coilgun = fp(coilgunPlugin, { fastify: '5.x', name: '@coilgun/fastify' })
export default coilgun
