import { ServerResponse } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { ERR_INVALID_OPTION, OriginResponder, resolveOriginOptions, SECRET_HEADER, senderRequestArrived, validateOriginOptions } from '@coilgun/core'
import type { OriginOptions, OriginResponseInfo, SenderExchange } from '@coilgun/core'

export interface CoilgunExpressOptions extends OriginOptions {
  /**
   * Per-request opt-out: return false and Coilgun leaves the response alone (the
   * Express counterpart of Fastify's route `config: { coilgun: false }`). Called
   * only for requests from authenticated senders.
   * @default every request is eligible
   */
  eligible?: (req: IncomingMessage) => boolean
}

type Next = (err?: unknown) => void
type Chunk = string | Uint8Array
type WriteCallback = (err?: Error | null) => void
/** res.write/res.end called with the argument shapes Node accepts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node overloads
type LooseCall = (this: ServerResponse, ...args: any[]) => unknown

/** The middleware, with `close()` to release what it created (the embedded store). */
export interface CoilgunMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: Next): void
  /** Resolves once the codecs are loaded (the first request waits for it anyway). */
  ready (): Promise<void>
  close (): Promise<void>
  readonly responder: Promise<OriginResponder>
}

/**
 * Express middleware answering authenticated Coilgun senders with deltas
 * (docs/PROTOCOL.md). Mount it after `compression()`: it needs the identity body,
 * and it writes its own answers below compression, so a delta is never re-encoded.
 */
export function coilgun (options: CoilgunExpressOptions): CoilgunMiddleware {
  // Every check that can fail runs now, so a bad option throws at app start.
  validateOriginOptions(options)
  if (options.eligible !== undefined && typeof options.eligible !== 'function') {
    throw new ERR_INVALID_OPTION('eligible', 'expected a function')
  }
  const eligible = options.eligible
  const responderPromise = resolveOriginOptions(options).then(resolved => new OriginResponder(resolved, options.logger ?? console))
  // Surfaced on first use; avoid an unhandled rejection in the meantime.
  responderPromise.catch(function ignoreUntilUsed () {})
  let responder: OriginResponder | undefined

  function coilgunMiddleware (req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (req.headers[SECRET_HEADER] === undefined) { next(); return }
    if (responder === undefined) {
      responderPromise.then(r => { responder = r; coilgunMiddleware(req, res, next) }, next)
      return
    }
    const arrival = senderRequestArrived(responder, { method: req.method ?? 'GET', headers: req.headers, url: req.url ?? '/', remoteAddress: req.socket.remoteAddress, answerable: eligible === undefined ? undefined : () => eligible(req) })
    if (arrival.kind === 'bad-host') {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Bad Request: invalid Host\n')
      return
    }
    if (arrival.kind === 'sender') interceptResponse(arrival.exchange, res)
    next()
  }

  return Object.assign(coilgunMiddleware, {
    ready: async () => { responder = await responderPromise },
    close: async () => { await (await responderPromise).close() },
    responder: responderPromise
  })
}

/**
 * Buffers the app's body (up to maxBodyBytes) by wrapping res.write/res.end, then
 * sends the answer. An ineligible or oversize response is released untouched.
 */
function interceptResponse (exchange: SenderExchange, res: ServerResponse): void {
  const maxBodyBytes = exchange.maxBodyBytes
  const write = res.write
  const end = res.end
  const chunks: Buffer[] = []
  let length = 0
  let state: 'undecided' | 'buffering' | 'released' = 'undecided'
  let head: OriginResponseInfo | undefined

  function release (): void {
    state = 'released'
    res.write = write
    res.end = end
  }

  function decide (): boolean {
    if (state !== 'undecided') return state === 'buffering'
    head = res.headersSent ? undefined : exchange.responseHead(res.statusCode, res.getHeaders())
    if (head !== undefined) {
      state = 'buffering'
      return true
    }
    release()
    return false
  }

  function toBuffer (chunk: Chunk, encoding?: BufferEncoding): Buffer {
    return typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  }

  function flushAndRelease (): void {
    release()
    for (const c of chunks) (write as LooseCall).call(res, c)
    chunks.length = 0
  }

  res.write = function coilgunWrite (this: ServerResponse, ...args: [Chunk, (BufferEncoding | WriteCallback)?, WriteCallback?]): boolean {
    if (!decide()) return (write as LooseCall).apply(res, args) as boolean
    const [chunk, encodingOrCb, cb] = args
    const buf = toBuffer(chunk, typeof encodingOrCb === 'string' ? encodingOrCb : undefined)
    chunks.push(buf)
    length += buf.length
    const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb
    if (length > maxBodyBytes) {
      flushAndRelease()
      if (callback) process.nextTick(callback)
      return true
    }
    if (callback) process.nextTick(callback)
    return true
  } as typeof res.write

  res.end = function coilgunEnd (this: ServerResponse, ...args: [(Chunk | (() => void))?, (BufferEncoding | (() => void))?, (() => void)?]): ServerResponse {
    if (!decide()) return (end as LooseCall).apply(res, args) as ServerResponse
    let [chunk, encodingOrCb] = args
    let callback = args[2]
    if (typeof chunk === 'function') { callback = chunk; chunk = undefined }
    if (typeof encodingOrCb === 'function') { callback = encodingOrCb; encodingOrCb = undefined }
    if (chunk !== undefined && chunk !== null) {
      const buf = toBuffer(chunk, encodingOrCb)
      chunks.push(buf)
      length += buf.length
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
    release()
    if (length > maxBodyBytes) return (end as LooseCall).call(res, body, callback) as ServerResponse
    sendAnswer(exchange, head!, res, body, end, callback)
    return res
  } as typeof res.end
}

function sendAnswer (exchange: SenderExchange, head: OriginResponseInfo, res: ServerResponse, body: Buffer, end: ServerResponse['end'], callback: (() => void) | undefined): void {
  exchange.answered(head, body)
    .then(answer => {
      if (res.destroyed) return
      // Too small (or too large) to answer: the app's response as it is.
      if (answer === undefined) { (end as LooseCall).call(res, body, callback); return }
      res.statusCode = answer.status
      for (const name of answer.remove) res.removeHeader(name)
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
      if (answer.body !== undefined) res.setHeader('content-length', answer.body.length)
      // Written below any compression middleware (its wrappers live on the instance):
      // a delta or an RFC 9842 body must reach the sender exactly as encoded.
      const writeHead: LooseCall = ServerResponse.prototype.writeHead
      const endBelow: LooseCall = ServerResponse.prototype.end
      writeHead.call(res, answer.status)
      endBelow.call(res, answer.body, callback)
    }, () => {
      // The answer failed (a bug, not bad input): send the app's response unchanged.
      if (!res.destroyed) (end as LooseCall).call(res, body, callback)
    })
}

export default coilgun
