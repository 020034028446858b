import { pipeline, Readable } from 'node:stream'
import zlib from 'node:zlib'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { acceptsEncoding, COILGUN_CLOSING_HEADER, deltaCodecLabel, deltaRequestHeaders, isCoilgunAnswer, ERR_ANSWER_STATUS, ERR_ANSWER_TOO_LARGE, ERR_UPSTREAM_BUSY, ERR_VISITOR_GONE, isCoilgunError, mergeVary, ORIGIN_ETAG_HEADER, parseAcceptEncoding, parseHost, readBounded, rebuildFromAnswer, resourceKey, versionId } from '@coilgun/core'
import type { Codec, CodecName, HeldVersion, RebuiltVersion } from '@coilgun/core'
import type { SenderConfig } from './config.ts'
import { formatDiagnostic } from './diagnostic.ts'
import type { Diagnostic, DiagnosticGate } from './diagnostic.ts'
import type { VisitorBases } from './visitorBases.ts'
import { abortAfter, classifyUpstreamError, isConnectFailure, OWN_ERROR_HEADERS, REQUEST_ID_HEADER, upstreamRequestHeaders, viaEntry, visitorResponseHeaders } from '@coilgun/service'
import type { OutgoingHeaders } from '@coilgun/service'
import type { SenderMetrics } from './metrics.ts'
import { isVisitorFresh } from './visitorConditional.ts'
import type { VisitorCompression } from './visitorCompression.ts'
import type { VersionCache } from './versionCache.ts'
import type { VisitorDictionaries } from './visitorDictionaries.ts'
import type { StatusRecorder } from '@coilgun/status'
import { requestNotes } from './requestOutcome.ts'
import type { DeltaOffers } from './deltaOffers.ts'
import type { SecretRecognition } from './secretRecognition.ts'
import type { UpstreamPools } from './upstreamPool.ts'
import type { Permit } from './admission.ts'
import type { UpstreamErrorLog } from './upstreamErrorLog.ts'

/**
 * A passthrough answer up to this size is read whole on the page lane, under the
 * request's deadline, then sent; a longer one is a download and moves to the stream
 * lane (issue 12), so visitors who read slowly hold download slots, never page slots.
 */
export const SMALL_PASSTHROUGH_BYTES = 64 * 1024

export interface DeltaContext {
  readonly config: SenderConfig
  readonly pools: UpstreamPools
  readonly cache: VersionCache
  readonly codecs: ReadonlyMap<CodecName, Codec>
  /** The codecs a delta request offers, by what last brought each resource (deltaOffers.ts). */
  readonly offers: DeltaOffers
  readonly metrics: SenderMetrics
  readonly compression: VisitorCompression
  /** The admin status page's recorder (issue 19); undefined without an admin listener. */
  readonly status: StatusRecorder | undefined
  /** RFC 9842 deltas to visitors (issue 18); undefined when switched off. */
  readonly dictionaries: VisitorDictionaries | undefined
  readonly log: FastifyBaseLogger
  /** Which base a request may name, and where its answer is kept (issue 11). */
  readonly bases: VisitorBases
  /** Who gets the `Coilgun` diagnostic header (issue 11). */
  readonly diagnostic: DiagnosticGate
  /** Warns once per episode when an upstream never answers with Coilgun headers (issue 16). */
  readonly recognition: SecretRecognition
  /** Upstream failures are logged at a bounded rate (issue 12). */
  readonly errorLog: UpstreamErrorLog
  /** Told of every upstream answer, so a busy link carries no health probes (issue 17). */
  readonly health: { answered (index: number): void }
}

interface UpstreamAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Readable
  upstream: number
  /** The page-lane slot this request holds until its answer is read (admission.ts). */
  permit: Permit
}

/**
 * GET (and HEAD, which Fastify serves through the GET route) for any resource:
 * asks the upstream for a delta against the held version, verifies and rebuilds it,
 * and serves the page; streams anything that is not a Coilgun answer as is.
 */
export async function handleDeltaGet (ctx: DeltaContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const abort = new AbortController()
  // COILGUN_UPSTREAM_TIMEOUT_MS bounds the whole answer, so an origin trickling its
  // body would not hold the visitor forever (issue 8). Cleared once the answer is
  // served or handed to a passthrough stream.
  const deadline = abortAfter(abort, ctx.config.upstreamTimeoutMs)
  try {
    await answerDeltaGet(ctx, request, reply, abort)
  } finally {
    clearTimeout(deadline)
  }
}

async function answerDeltaGet (ctx: DeltaContext, request: FastifyRequest, reply: FastifyReply, abort: AbortController): Promise<void> {
  const started = performance.now()
  // The Host was validated by refuseInvalidHost; the key is core's (issue 11).
  // The visitor went away before the answer was written: stop the upstream work.
  // The reason says so, so it is not taken for an upstream failure (issue 12).
  reply.raw.once('close', function abortUpstreamOnClientClose () { if (!reply.raw.writableFinished) abort.abort(new ERR_VISITOR_GONE()) })
  // HEAD is forwarded as HEAD: no body crosses the link (issue 12, item 4), and no base is looked up.
  if (request.method === 'HEAD') return answerHead(ctx, request, reply, abort.signal, started)
  const key = resourceKey(parseHost(request.headers.host) ?? '', request.url)
  const slot = ctx.bases.slotFor(ctx.cache, key, request.url, request.headers)
  const base = request.headers.range === undefined && slot.baseKey !== undefined ? ctx.cache.get(slot.baseKey) : undefined
  const forwarded = forwardedHeaders(ctx, request, request.headers.range === undefined)

  let answer: UpstreamAnswer
  let rebuilt: RebuiltVersion | undefined
  let received: number
  let outcome: Diagnostic['outcome']
  let why: string | undefined
  const ranged = request.headers.range !== undefined
  try {
    if (ranged) {
      answer = await fetchUpstream(ctx, request.url, forwarded, abort.signal, 'GET')
      return await passthrough(ctx, request, reply, answer, started)
    }
    ({ answer, rebuilt, received } = await fetchAndRebuild(ctx, request.url, { ...forwarded, ...deltaRequestHeaders(ctx.config.secret, ctx.offers.after(base?.deltaCodec), base) }, base, abort.signal))
    if (rebuilt === undefined) return await passthrough(ctx, request, reply, answer, started)
    outcome = rebuilt.kind
  } catch (err) {
    // Past the deadline (or the visitor gone) nothing is refetched: the reason is what failed.
    if (abort.signal.aborted) return sendUpstreamError(ctx, reply, abort.signal.reason, started)
    if (!isAnswerFault(err)) return sendUpstreamError(ctx, reply, err, started)
    // A visitor never receives bytes that failed verification: count it, log it,
    // and fetch the page once more without naming a base.
    why = (err as { code: string }).code
    ctx.metrics.verificationFailures.inc({ reason: why })
    request.log.warn({ err, key }, 'coilgun: answer failed verification; refetching the full page')
    if (slot.baseKey !== undefined) ctx.cache.delete(slot.baseKey)
    try {
      ({ answer, rebuilt, received } = await fetchAndRebuild(ctx, request.url, { ...forwarded, ...deltaRequestHeaders(ctx.config.secret, ctx.offers.all, undefined) }, undefined, abort.signal))
      if (rebuilt === undefined) return await passthrough(ctx, request, reply, answer, started)
      outcome = 'fallback'
    } catch (retryErr) {
      if (abort.signal.aborted) return sendUpstreamError(ctx, reply, abort.signal.reason, started)
      if (isAnswerFault(retryErr)) {
        ctx.metrics.verificationFailures.inc({ reason: (retryErr as { code: string }).code })
        requestNotes.set(request.raw, { outcome: 'error', why: (retryErr as { code: string }).code })
        request.log.error({ err: retryErr, key }, 'coilgun: full answer failed verification too')
        return sendShortError(reply, 502, 'Bad Gateway: the origin\'s answer failed verification\n')
      }
      return sendUpstreamError(ctx, reply, retryErr, started)
    }
  }

  const upstreamMs = performance.now() - started
  ctx.metrics.upstreamDuration.observe(upstreamMs / 1000)
  ctx.metrics.upstreamBytes.inc(received)
  ctx.metrics.bytesSaved.inc(Math.max(0, rebuilt.body.length - received))
  const isPrivate = ctx.bases.keep(ctx.cache, slot, request.url, request.headers, answer.headers, { body: rebuilt.body, hash: rebuilt.hash, deltaCodec: ctx.offers.received(rebuilt.kind, rebuilt.codec, base) })
  const codec = rebuilt.codec === undefined ? undefined : deltaCodecLabel({ codec: rebuilt.codec, secondary: rebuilt.secondary })
  if (outcome === 'delta' && codec !== undefined) ctx.metrics.deltaCodecs.inc({ codec })
  // The status page names resources by host and path only: never a query string, and
  // private pages only in aggregate.
  ctx.status?.recordPage(isPrivate ? '(private pages)' : `${request.headers.host ?? ''}${request.url.split('?', 1)[0]}`, rebuilt.body.length, received)

  serveVersion(ctx, request, reply, answer.headers, rebuilt, {
    outcome,
    codec,
    linkBytes: received,
    size: rebuilt.body.length,
    waitedMs: upstreamMs,
    why
  }, isPrivate)
}

async function fetchUpstream (ctx: DeltaContext, path: string, headers: OutgoingHeaders, signal: AbortSignal, method: 'GET' | 'HEAD'): Promise<UpstreamAnswer> {
  let index = ctx.pools.pick()
  for (let attempt = 0; ; attempt++) {
    // Waiting for a page connection counts against the request's deadline, and a
    // full queue is a 503 at once (admission.ts, issue 12).
    const permit = await ctx.pools.admission(index).page.acquire(signal)
    try {
      const res = await ctx.pools.dispatcher(index).request({ origin: ctx.pools.origin(index), path, method, headers, signal } as Dispatcher.RequestOptions)
      // A listener that is shutting down marks its 503: another one may not be. An
      // application's own 503 is its answer and is served as is (issue 12, item 6).
      const closing = res.statusCode === 503 && res.headers[COILGUN_CLOSING_HEADER] !== undefined
      if (!closing) ctx.health.answered(index)
      if (closing && attempt + 1 < ctx.pools.size) {
        res.body.resume()
        permit.release()
        ctx.pools.markDown(index, 'closing')
        index = ctx.pools.pick(index)
        continue
      }
      return { status: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, body: res.body, upstream: index, permit }
    } catch (err) {
      permit.release()
      // A GET is idempotent: one that failed on an upstream goes to another.
      if (isRetryable(err) && attempt + 1 < ctx.pools.size && !signal.aborted) {
        ctx.pools.markDown(index, classifyUpstreamError(err).kind)
        index = ctx.pools.pick(index)
        continue
      }
      throw err
    }
  }
}

/**
 * Fetches and rebuilds a Coilgun answer, retrying a GET on another upstream when the
 * connection fails before the answer is complete (a listener killed mid-answer).
 */
async function fetchAndRebuild (ctx: DeltaContext, path: string, headers: OutgoingHeaders, base: HeldVersion | undefined, signal: AbortSignal): Promise<{ answer: UpstreamAnswer, rebuilt: RebuiltVersion | undefined, received: number }> {
  for (let attempt = 0; ; attempt++) {
    const answer = await fetchUpstream(ctx, path, headers, signal, 'GET')
    const coilgun = isCoilgunAnswer(answer.headers)
    ctx.recognition.observe(answer.upstream, answer.status, answer.headers, coilgun)
    if (!coilgun) return { answer, rebuilt: undefined, received: 0 }
    try {
      const { rebuilt, received } = await readAndRebuild(ctx, answer, base)
      return { answer, rebuilt, received }
    } catch (err) {
      answer.body.destroy()
      if (isRetryable(err) && attempt + 1 < ctx.pools.size && !signal.aborted) {
        ctx.pools.markDown(answer.upstream, classifyUpstreamError(err).kind)
        continue
      }
      throw err
    } finally {
      answer.permit.release()
    }
  }
}

function isRetryable (err: unknown): boolean {
  if (isConnectFailure(err)) return true
  const code = (err as { code?: string }).code ?? ''
  // Connection lost mid-answer (a listener killed): the body is cut short.
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED' || code === 'EPIPE' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
}

async function readAndRebuild (ctx: DeltaContext, answer: UpstreamAnswer, base: HeldVersion | undefined): Promise<{ rebuilt: RebuiltVersion, received: number }> {
  const limit = ctx.config.maxBodyBytes + (ctx.config.maxBodyBytes >> 3) + 4096
  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of answer.body) {
    received += (chunk as Buffer).length
    if (received > limit) {
      answer.body.destroy()
      throw new ERR_ANSWER_TOO_LARGE(String(limit))
    }
    chunks.push(chunk as Buffer)
  }
  const rebuilt = rebuildFromAnswer({ status: answer.status, headers: answer.headers, body: Buffer.concat(chunks, received) }, base, ctx.codecs, ctx.config.maxBodyBytes)
  if (answer.status !== 200 && answer.status !== 226 && answer.status !== 304) {
    throw new ERR_ANSWER_STATUS(String(answer.status))
  }
  return { rebuilt, received }
}

function serveVersion (ctx: DeltaContext, request: FastifyRequest, reply: FastifyReply, upstreamHeaders: Record<string, string | string[] | undefined>, rebuilt: RebuiltVersion, diagnostic: Diagnostic, isPrivate: boolean): void {
  const headers = visitorResponseHeaders(upstreamHeaders, true)
  const appETag = upstreamHeaders[ORIGIN_ETAG_HEADER]
  if (typeof appETag === 'string') headers.etag = appETag
  const text = formatDiagnostic(diagnostic)
  // The log keeps what the header no longer tells every visitor (issue 11).
  request.log.debug({ coilgun: text, private: isPrivate }, 'coilgun: answer')
  if (ctx.diagnostic.allows(request.headers)) headers.coilgun = text
  // RFC 9842: only public pages become dictionaries, and only for their own scope.
  const dictionaries = ctx.dictionaries !== undefined && !isPrivate ? ctx.dictionaries : undefined
  if (dictionaries !== undefined) Object.assign(headers, dictionaries.dictionaryHeaders(request.url, headers['cache-control']))
  requestNotes.set(request.raw, diagnostic)
  reply.headers(headers)
  if (isVisitorFresh(request.headers, headers)) {
    ctx.metrics.visitorBytes.inc(0)
    reply.code(304).send()
    return
  }
  let body: Uint8Array = rebuilt.body
  let coding: string | undefined = ctx.compression.choose(request.headers['accept-encoding'], body.length)
  if (coding !== undefined) body = ctx.compression.compress(versionId(rebuilt.hash), body, coding as 'br' | 'gzip')
  const delta = dictionaries?.answer({
    host: (request.headers.host ?? '').toLowerCase(),
    url: request.url,
    acceptEncoding: request.headers['accept-encoding'],
    availableDictionary: request.headers['available-dictionary'],
    version: rebuilt,
    ordinarySize: body.byteLength
  })
  if (delta !== undefined) {
    body = delta.body
    coding = delta.coding
    ctx.metrics.visitorDictionaryAnswers.inc({ coding })
  }
  if (coding !== undefined) reply.header('content-encoding', coding)
  // RFC 9842 section 6.2: the answer depends on the dictionary the visitor named.
  reply.header('vary', mergeVary(headers.vary, dictionaries === undefined ? 'Accept-Encoding' : 'Accept-Encoding, Available-Dictionary'))
  reply.header('content-length', body.length)
  ctx.metrics.visitorBytes.inc(body.length)
  reply.code(200).send(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
}

/**
 * A non-Coilgun answer: read whole when it is small, otherwise streamed without
 * buffering on a download slot (issue 12); a 503 when every download slot is taken.
 */
async function passthrough (ctx: DeltaContext, request: FastifyRequest, reply: FastifyReply, answer: UpstreamAnswer, started: number): Promise<void> {
  const headers = visitorResponseHeaders(answer.headers, false)
  let body: Readable
  if (isSmallAnswer(answer)) {
    try {
      // undici refuses a body longer than its Content-Length, so this is complete.
      const read = await readBounded(answer.body, SMALL_PASSTHROUGH_BYTES)
      body = Readable.from(read.complete ? [read.body] : [])
    } finally {
      answer.permit.release()
    }
  } else {
    const slot = ctx.pools.admission(answer.upstream).stream.tryAcquire()
    answer.permit.release()
    if (slot === undefined) {
      answer.body.destroy()
      throw new ERR_UPSTREAM_BUSY(ctx.pools.origin(answer.upstream), 'every download slot is taken')
    }
    answer.body.once('close', slot.release.bind(slot))
    body = answer.body
  }
  // We asked upstream for br/gzip; decode for a visitor who does not accept them.
  const coding = typeof answer.headers['content-encoding'] === 'string' ? answer.headers['content-encoding'].trim().toLowerCase() : undefined
  if ((coding === 'br' || coding === 'gzip') && !acceptsEncoding(parseAcceptEncoding(request.headers['accept-encoding']), coding)) {
    body = pipeline(body, coding === 'br' ? zlib.createBrotliDecompress() : zlib.createGunzip(), function ignorePipelineEnd () {})
    delete headers['content-encoding']
    delete headers['content-length']
  }
  let counted = 0
  const note = requestNotes.set(request.raw, { outcome: 'passthrough', waitedMs: performance.now() - started })
  body.on('data', function countVisitorBytes (chunk: Buffer) { counted += chunk.length })
  body.once('end', function recordPassthrough () {
    ctx.metrics.visitorBytes.inc(counted)
    ctx.metrics.upstreamBytes.inc(counted)
    note.linkBytes = counted
  })
  if (ctx.diagnostic.allows(request.headers)) headers.coilgun = formatDiagnostic({ outcome: 'passthrough', linkBytes: Number(answer.headers['content-length'] ?? 0), size: undefined, waitedMs: note.waitedMs! })
  reply.code(answer.status).headers(headers).send(body)
}

/**
 * The visitor's request headers as the upstream gets them: forwarding headers
 * replaced (RFC 9110 section 7.6), the sender's request id (issue 16), and, on the
 * delta path, the protocol headers left for deltaRequestHeaders to set.
 */
function forwardedHeaders (ctx: DeltaContext, request: FastifyRequest, deltaPath: boolean): OutgoingHeaders {
  const forwarded = upstreamRequestHeaders(request.headers, { ip: request.raw.socket.remoteAddress ?? request.ip, proto: request.protocol, host: request.headers.host, via: ctx.config.via === undefined ? undefined : viaEntry(request.raw.httpVersion, ctx.config.via) }, ctx.config.trustProxy, deltaPath)
  forwarded[REQUEST_ID_HEADER] = request.id
  return forwarded
}

/**
 * HEAD is forwarded as HEAD with the visitor's own headers (no delta exchange): the
 * origin's status and headers, Content-Length included, and no body over the link
 * or to the visitor; nothing is counted as body bytes (issue 12, item 4).
 */
async function answerHead (ctx: DeltaContext, request: FastifyRequest, reply: FastifyReply, signal: AbortSignal, started: number): Promise<void> {
  const forwarded = forwardedHeaders(ctx, request, false)
  let answer: UpstreamAnswer
  try {
    answer = await fetchUpstream(ctx, request.url, forwarded, signal, 'HEAD')
    try {
      // A HEAD answer has no body (RFC 9110 section 9.3.2); undici ends it at once.
      for await (const _ of answer.body) { /* nothing to read */ }
    } finally {
      answer.permit.release()
    }
  } catch (err) {
    return sendUpstreamError(ctx, reply, signal.aborted ? signal.reason : err, started)
  }
  const headers = visitorResponseHeaders(answer.headers, false)
  const upstreamMs = performance.now() - started
  if (ctx.diagnostic.allows(request.headers)) headers.coilgun = formatDiagnostic({ outcome: 'passthrough', linkBytes: 0, size: undefined, waitedMs: upstreamMs })
  requestNotes.set(request.raw, { outcome: 'head', waitedMs: upstreamMs })
  reply.code(answer.status).headers(headers).send()
}

/** No body, or a declared length within SMALL_PASSTHROUGH_BYTES (a chunked answer may be a stream of events). */
function isSmallAnswer (answer: UpstreamAnswer): boolean {
  if (answer.status === 204 || answer.status === 304) return true
  const declared = answer.headers['content-length']
  return typeof declared === 'string' && Number(declared) <= SMALL_PASSTHROUGH_BYTES
}

/**
 * A Coilgun answer that must not be served (it failed decoding, verification or
 * its bounds): refetched in full once. Busy upstreams and bodies cut short are the
 * upstream's trouble, answered as such.
 */
function isAnswerFault (err: unknown): boolean {
  return isCoilgunError(err) && err.code !== 'COILGUN_ERR_UPSTREAM_BUSY' && err.code !== 'COILGUN_ERR_BODY_INCOMPLETE'
}

function sendUpstreamError (ctx: DeltaContext, reply: FastifyReply, err: unknown, started: number): void {
  const code = (err as { code?: unknown }).code
  if (code === 'COILGUN_ERR_VISITOR_GONE') {
    // Not the upstream's fault: its own metric and a debug line (issue 12, item 5).
    ctx.metrics.visitorAborts.inc()
    reply.log.debug({ ms: Math.round(performance.now() - started) }, 'coilgun: visitor closed the connection before the answer was complete')
    return
  }
  if (code === 'COILGUN_ERR_UPSTREAM_BUSY') {
    requestNotes.set(reply.request.raw, { outcome: 'busy', why: 'busy' })
    ctx.errorLog.warn(reply.log, 'busy', err)
    if (reply.sent) return
    // RFC 9110 section 10.2.3: try again in a second.
    reply.code(503).header('retry-after', '1')
    sendShortError(reply, 503, 'Service Unavailable: too many requests are waiting for the origin\n')
    return
  }
  const { status, kind } = classifyUpstreamError(err)
  ctx.metrics.upstreamErrors.inc({ kind })
  requestNotes.set(reply.request.raw, { outcome: 'error', why: kind, waitedMs: performance.now() - started })
  ctx.errorLog.warn(reply.log, kind, err, Math.round(performance.now() - started))
  sendShortError(reply, status, status === 504 ? 'Gateway Timeout: the origin did not answer in time\n' : 'Bad Gateway: the origin could not be reached or sent a broken answer\n')
}

function sendShortError (reply: FastifyReply, status: number, text: string): void {
  if (reply.sent) return
  reply.code(status).headers(OWN_ERROR_HEADERS).send(text)
}
