import type { StatusRecorder } from '@coilgun/status'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { deltaCodecLabel, ERR_VISITOR_GONE, INTERNAL_HEADERS, LISTENER_DIAGNOSTIC_HEADER, parseHost, readBounded, senderRequestArrived } from '@coilgun/core'
import { abortAfter, classifyUpstreamError, OWN_ERROR_HEADERS, REQUEST_ID_HEADER, upstreamRequestHeaders, viaEntry, withoutHopByHop } from '@coilgun/service'
import { requestNotes } from './requestOutcome.ts'
import type { OriginResponder } from '@coilgun/core'
import type { ListenerMetrics } from './metrics.ts'
import type { OriginPools } from './originPools.ts'

export interface ListenerContext {
  readonly responder: OriginResponder
  readonly pools: OriginPools
  readonly metrics: ListenerMetrics
  /** The admin status page's recorder (issue 19); undefined without an admin listener. */
  readonly status: StatusRecorder | undefined
  readonly maxBodyBytes: number
  readonly diagnosticHeader: boolean
  /** COILGUN_ORIGIN_TIMEOUT_MS: the longest the origin may take for a whole answer the listener reads. */
  readonly originTimeoutMs: number
  /** COILGUN_TRUST_PROXY: keep (and append to) the client's forwarding headers. */
  readonly trustProxy: boolean
  /** COILGUN_VIA pseudonym, or undefined for no Via. */
  readonly via: string | undefined
}

/** Never forwarded to an origin: the protocol's own headers (the secret first). */
const DROP_FOR_ORIGIN = new Set(INTERNAL_HEADERS)

/**
 * Any request: forwarded to the origin of its Host. A GET from an authenticated
 * sender gets a Coilgun answer computed from the origin's response (delta, full or
 * 304); everything else is streamed back untouched.
 */
export async function handleListenerRequest (ctx: ListenerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const abort = new AbortController()
  // The sender hung up (it gives up after its own timeout): stop the origin request.
  // The reason says so: a sender hanging up is not an origin failure (issue 12).
  reply.raw.once('close', function abortOriginOnSenderClose () { if (!reply.raw.writableFinished) abort.abort(new ERR_VISITOR_GONE()) })
  // An origin trickling its body would hold the request (and an origin connection)
  // forever. The deadline covers headers and the body the listener buffers, for
  // requests without a body (an upload may take its time); it is cleared before
  // anything is streamed back, which stays bounded per chunk (issue 8).
  const deadline = hasRequestBody(request) ? undefined : abortAfter(abort, ctx.originTimeoutMs)
  try {
    return await answerListenerRequest(ctx, request, reply, abort.signal, deadline)
  } finally {
    clearTimeout(deadline)
  }
}

function hasRequestBody (request: FastifyRequest): boolean {
  return request.method !== 'GET' && request.method !== 'HEAD' && (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined)
}

async function answerListenerRequest (ctx: ListenerContext, request: FastifyRequest, reply: FastifyReply, signal: AbortSignal, deadline: NodeJS.Timeout | undefined): Promise<FastifyReply> {
  // Issue 11: a Host that is not RFC 9110 section 7.2 syntax has no cache key of its own.
  const host = parseHost(request.headers.host)
  if (host === undefined) {
    requestNotes.set(request.raw, { outcome: 'bad-host' })
    return reply.code(400).headers(OWN_ERROR_HEADERS).send('Bad Request: invalid Host\n')
  }
  const route = ctx.pools.route(request.headers.host)
  if (route === undefined) {
    requestNotes.set(request.raw, { outcome: 'misdirected' })
    // RFC 9110 section 15.5.20: this server is not able to answer for that host.
    return reply.code(421).headers(OWN_ERROR_HEADERS).send(`Misdirected Request: no origin is configured for host "${request.headers.host ?? ''}"\n`)
  }
  // A sender's secret and If-None-Match (Coilgun versions) never reach the origin.
  const arrival = senderRequestArrived(ctx.responder, { method: request.method, headers: request.headers, url: request.url, remoteAddress: request.ip, scope: route.url })
  const exchange = arrival.kind === 'sender' ? arrival.exchange : undefined
  // Hop-by-hop and internal headers go (never Host); forwarding headers and Via as
  // COILGUN_TRUST_PROXY and COILGUN_VIA say (issue 13).
  const headers = upstreamRequestHeaders(request.headers, { ip: request.ip, proto: request.protocol, host: request.headers.host, via: ctx.via === undefined ? undefined : viaEntry(request.raw.httpVersion, ctx.via) }, ctx.trustProxy, false)
  // Identity from the origin: the delta is computed on the exact body, and the
  // link to the origin is local.
  if (exchange !== undefined) headers['accept-encoding'] = 'identity'
  // Issue 16: the application logs the same request id as the sender and listener.
  headers[REQUEST_ID_HEADER] = request.id
  const hasBody = hasRequestBody(request)
  const started = performance.now()
  let res: Dispatcher.ResponseData
  try {
    res = await route.dispatcher.request({
      origin: route.url,
      path: originFormPath(request.raw.url ?? '/'),
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: hasBody ? request.body as Readable : null,
      signal
    })
  } catch (err) {
    return sendOriginError(ctx, request, reply, signal.aborted ? signal.reason : err)
  }
  const originMs = performance.now() - started
  ctx.metrics.originDuration.observe(originMs / 1000)
  const responseHeaders = withoutHopByHop(res.headers as Record<string, string | string[] | undefined>, DROP_FOR_ORIGIN)
  const info = exchange?.responseHead(res.statusCode, res.headers)
  if (exchange === undefined || info === undefined) {
    clearTimeout(deadline)
    requestNotes.set(request.raw, { outcome: 'passthrough', waitedMs: originMs })
    if (ctx.diagnosticHeader) responseHeaders[LISTENER_DIAGNOSTIC_HEADER] = `passthrough; ot=${Math.round(originMs)}`
    return reply.code(res.statusCode).headers(responseHeaders).send(res.body)
  }

  let read: Awaited<ReturnType<typeof readBounded>>
  try {
    read = await readBounded(res.body, ctx.maxBodyBytes)
  } catch (err) {
    // The origin broke off mid-body (or ran past the deadline): nothing is stored, the sender gets a 502 (504).
    return sendOriginError(ctx, request, reply, signal.aborted ? signal.reason : err)
  }
  clearTimeout(deadline)
  if (!read.complete) {
    requestNotes.set(request.raw, { outcome: 'passthrough', waitedMs: originMs })
    return reply.code(res.statusCode).headers(responseHeaders).send(read.replay)
  }
  const answer = await exchange.answered(info, read.body)
  if (answer === undefined) {
    requestNotes.set(request.raw, { outcome: 'passthrough', waitedMs: originMs, size: read.body.length })
    return reply.code(res.statusCode).headers(responseHeaders).send(read.body)
  }
  ctx.metrics.originBytes.inc(read.body.length)
  for (const name of answer.remove) delete responseHeaders[name]
  Object.assign(responseHeaders, answer.headers)
  if (ctx.diagnosticHeader) responseHeaders[LISTENER_DIAGNOSTIC_HEADER] = `${answer.kind}; ot=${Math.round(originMs)}; size=${read.body.length}`
  requestNotes.set(request.raw, { outcome: answer.kind, codec: answer.delta === undefined ? undefined : deltaCodecLabel(answer.delta), linkBytes: answer.body?.length ?? 0, size: read.body.length, waitedMs: originMs })
  ctx.metrics.senderBytes.inc(answer.body?.length ?? 0)
  // The status page names resources by host and path only, private pages only in
  // aggregate (issues 11, 19).
  if (ctx.status !== undefined) {
    ctx.status.recordPage(answer.private ? '(private pages)' : `${request.headers.host ?? ''}${request.url.split('?', 1)[0]}`, read.body.length, answer.body?.length ?? 0)
  }
  reply.code(answer.status).headers(responseHeaders)
  // A 304 has no body (RFC 9110 section 15.4.5): send nothing, not a serialized null.
  if (answer.body === undefined) return reply.send()
  return reply.send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength))
}

/** Path and query only: an absolute-form request target never chooses the upstream. */
function originFormPath (url: string): string {
  if (url.startsWith('/')) return url
  try {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search}`
  } catch {
    return '/'
  }
}

function sendOriginError (ctx: ListenerContext, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if ((err as { code?: unknown }).code === 'COILGUN_ERR_VISITOR_GONE') {
    ctx.metrics.senderAborts.inc()
    request.log.debug('coilgun-listener: the sender closed the connection before the answer was complete')
    return reply
  }
  const { status, kind } = classifyUpstreamError(err)
  ctx.metrics.originErrors.inc({ kind })
  requestNotes.set(request.raw, { outcome: 'error', why: kind })
  request.log.warn({ err, kind }, 'coilgun-listener: origin failed')
  if (reply.sent) return reply
  return reply.code(status).headers(OWN_ERROR_HEADERS)
    .send(status === 504 ? 'Gateway Timeout: the origin did not answer in time\n' : 'Bad Gateway: the origin could not be reached or broke off its answer\n')
}
