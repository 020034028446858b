import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { request } from 'undici'

// A broken or malicious origin for fault and attack tests (issue 8): a proxy in
// front of a real Coilgun origin that gets the real answer, then lets the test
// rewrite it, cut it, trickle it or replace it with garbage on the wire.

export interface OriginReply {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

export type TamperAction =
  /** Send this answer, framed with a correct Content-Length. */
  | { kind: 'send', reply: OriginReply }
  /** Write these bytes on the socket as they are, then close it (or leave it open). */
  | { kind: 'raw', bytes: Buffer, then: 'close' | 'hang' }
  /** Send headers announcing `reply`, then `chunkBytes` at a time; `forever`: repeat the body endlessly. */
  | { kind: 'trickle', reply: OriginReply, chunkBytes: number, everyMs: number, forever: boolean }

/** Decides what to do with one request and the real origin's answer to it. */
export type Tamper = (req: { url: string, headers: IncomingHttpHeaders, index: number }, real: OriginReply) => TamperAction

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length'])

function forwardable (headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
  return out
}

/** Answers as given by `reply`, with a Content-Length that matches the body. */
export function send (reply: OriginReply): TamperAction {
  return { kind: 'send', reply }
}

export interface TamperingProxy {
  readonly url: string
  readonly server: Server
  /** Every request, in order, with the tampering applied to it. */
  readonly log: Array<{ url: string, headers: IncomingHttpHeaders, action: TamperAction['kind'] }>
  /** Responses that closed before they were finished: the peer hung up, or the proxy cut them. */
  readonly abandoned: () => number
  tamper: Tamper
  close (): Promise<void>
}

export async function startTamperingProxy (origin: string, tamper: Tamper = (_req, real) => send(real)): Promise<TamperingProxy> {
  const log: TamperingProxy['log'] = []
  const sockets = new Set<Socket>()
  let abandoned = 0
  const proxy: TamperingProxy = {
    url: '',
    server: createServer(),
    log,
    abandoned: () => abandoned,
    tamper,
    async close () {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => proxy.server.close(() => resolve()))
    }
  }
  const server = proxy.server
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('request', (req, res) => {
    void (async () => {
      const upstream = await request(origin + (req.url ?? '/'), { method: 'GET', headers: forwardable(req.headers as Record<string, string | string[] | undefined>) })
      const real: OriginReply = { status: upstream.statusCode, headers: forwardable(upstream.headers as Record<string, string | string[] | undefined>), body: Buffer.from(await upstream.body.arrayBuffer()) }
      const action = proxy.tamper({ url: req.url ?? '/', headers: req.headers, index: log.length }, real)
      log.push({ url: req.url ?? '/', headers: req.headers, action: action.kind })
      res.once('close', () => { if (!res.writableFinished) abandoned++ })
      if (action.kind === 'send') {
        res.writeHead(action.reply.status, { ...action.reply.headers, 'content-length': String(action.reply.body.length) })
        res.end(action.reply.body)
        return
      }
      if (action.kind === 'raw') {
        res.socket!.write(action.bytes)
        if (action.then === 'close') res.socket!.destroy()
        return
      }
      const { reply, chunkBytes, everyMs, forever } = action
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(forever ? reply.body.length * 1000 : reply.body.length) })
      let at = 0
      const timer = setInterval(function trickle () {
        if (at >= reply.body.length) {
          if (!forever) { clearInterval(timer); res.end(); return }
          at = 0
        }
        res.write(reply.body.subarray(at, at + chunkBytes))
        at += chunkBytes
      }, everyMs)
      res.once('close', () => clearInterval(timer))
    })().catch(() => { res.destroy() })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
}
