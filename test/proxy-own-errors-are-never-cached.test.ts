import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { connect } from 'node:net'
import { test } from 'node:test'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { rawExchange } from './support/rawHttp.ts'
import { parseFirstResponse } from './support/proxyTopology.ts'

// Issue 13: every answer the sender or the listener makes up itself (400, 421, 431,
// 502, 503, 504) carries Cache-Control: no-store and a short body, so no cache in
// front keeps a momentary failure in place of the page. The passthrough 502 had no
// no-store; Node's parser errors came as Fastify's JSON without it.

function assertOwnError (text: string, status: number, where: string): void {
  const answer = parseFirstResponse(text)
  assert.equal(answer.status, status, `${where}: ${text.slice(0, 200)}`)
  assert.equal(answer.headers['cache-control'], 'no-store', `${where}: Cache-Control`)
  assert.ok(answer.body.length > 0 && answer.body.length < 200, `${where}: a short body (${answer.body.length} bytes)`)
}

/** A TCP server that accepts connections and never answers. */
async function silentUpstream (): Promise<{ url: string, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer(s => { sockets.add(s); s.on('error', () => {}) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>(resolve => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}

const UNREACHABLE = 'http://127.0.0.1:9'

test('the sender: 502 (unreachable) and 504 (silent) on the delta and passthrough paths, no-store', async (t) => {
  const dead = await startSender(UNREACHABLE)
  const silent = await silentUpstream()
  const slow = await startSender(silent.url, { COILGUN_UPSTREAM_TIMEOUT_MS: '300' })
  t.after(async () => { await dead.sender.close(); await slow.sender.close(); await silent.close() })
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    const request = `${method} /x HTTP/1.1\r\nHost: a.example\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`
    assertOwnError((await rawExchange(dead.url, request)).text, 502, `unreachable ${method}`)
    assertOwnError((await rawExchange(slow.url, request)).text, 504, `silent ${method}`)
  }
})

test('the sender and the listener: parser errors (400, 431) and bad request-targets, no-store', async (t) => {
  const seen: string[] = []
  const origin = createHttpServer((req, res) => { seen.push(`${req.method ?? ''} ${req.url ?? ''}`); res.end('ok') })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`
  const { sender, url: senderUrl } = await startSender(originUrl)
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGINS: `a.example=${originUrl}` })
  t.after(async () => { await sender.close(); await listener.close(); origin.closeAllConnections(); origin.close() })
  for (const [name, url] of [['sender', senderUrl], ['listener', listenerUrl]] as const) {
    assertOwnError((await rawExchange(url, 'GET /x HTTP/1.1\r\nHost: a.example\r\nNo Colon Here\r\n\r\n')).text, 400, `${name}: a malformed header line`)
    assertOwnError((await rawExchange(url, `GET /x HTTP/1.1\r\nHost: a.example\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`)).text, 431, `${name}: headers too large`)
    assertOwnError((await rawExchange(url, 'GET * HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).text, 400, `${name}: GET *`)
    for (const method of ['TRACE', 'PROPFIND']) {
      const text = (await rawExchange(url, `${method} /x HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n`)).text
      assertOwnError(text, 405, `${name}: ${method}`)
      assert.match(parseFirstResponse(text).headers.allow ?? '', /GET, HEAD, POST/)
    }
    assertOwnError((await rawExchange(url, 'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n')).text, 400, `${name}: CONNECT`)
  }
  assert.deepEqual(seen, [], 'none of those reached the origin')
  assertOwnError((await rawExchange(listenerUrl, 'GET /x HTTP/1.1\r\nHost: unknown.example\r\nConnection: close\r\n\r\n')).text, 421, 'listener: a host outside the map')
  assertOwnError((await rawExchange(senderUrl, 'GET /x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n')).text, 400, 'sender: two Host headers')
})

test('the listener: 502 for an unreachable origin, on a sender\'s GET and on passthrough, no-store', async (t) => {
  const { listener, url } = await startListener({ COILGUN_ORIGINS: `default=${UNREACHABLE}` })
  t.after(() => listener.close())
  for (const method of ['GET', 'POST']) {
    assertOwnError((await rawExchange(url, `${method} /x HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)).text, 502, `listener ${method}`)
  }
})

test('a request pipelined behind one in flight while the sender closes is never forwarded; the one in flight finishes with Connection: close', async (t) => {
  // The origin holds /slow long enough for the sender to start closing with that
  // request in flight; the next request on the same connection arrives during close.
  // Issue 12 (prompt, honest shutdown): the answer in flight is the last on its
  // connection (Connection: close, RFC 9112 section 9.6), so the pipelined request is
  // left unanswered for the client to retry elsewhere, and never reaches the origin.
  const held: Array<() => void> = []
  const seen: string[] = []
  const origin = createHttpServer((req, res) => {
    seen.push(req.url ?? '')
    if (req.url === '/slow') held.push(() => res.end('slow'))
    else res.end('fast')
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  t.after(() => { origin.closeAllConnections(); origin.close() })
  const { sender, url } = await startSender(`http://127.0.0.1:${(origin.address() as AddressInfo).port}`)
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  await once(socket, 'connect')
  let text = ''
  socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
  socket.write('POST /slow HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\r\n')
  while (held.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
  const closing = sender.close()
  await new Promise(resolve => setTimeout(resolve, 100))
  socket.write('POST /next HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\r\n')
  await new Promise(resolve => setTimeout(resolve, 100))
  held[0]!()
  await once(socket, 'close')
  await closing
  const first = parseFirstResponse(text)
  assert.equal(first.status, 200, 'the request in flight finished')
  assert.equal(first.headers.connection?.toLowerCase(), 'close', 'and said it was the last on its connection')
  assert.equal(text.indexOf('HTTP/1.1', 1), -1, `nothing else was written: ${text}`)
  assert.deepEqual(seen, ['/slow'], 'the pipelined request never reached the origin')
})
