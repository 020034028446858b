import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createSecureServer } from 'node:http2'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { request } from 'undici'
import { makePki } from '@coilgun/fixtures/pki'
import { loadSenderConfig } from '../src/config.ts'
import { startSender } from './harness.ts'

// Issue 17: COILGUN_UPSTREAM_HTTP2 defaults to `auto`: an https:// upstream that picks
// h2 by ALPN gets HTTP/2 (many streams on one connection), one that picks http/1.1
// gets one request per connection at a time (never pipelined); and an idle upstream
// connection outlives undici's 4 s default keep-alive.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0
const noOpenssl = hasOpenssl ? false : 'openssl not installed'

/**
 * Echoes HTTP version, method, path and body size. /slow/* sends its headers at once
 * and its body 300 ms later, so requests overlap (undici would pipeline the next
 * request on an HTTP/1.1 connection as soon as the headers are in).
 */
function answer (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  let size = 0
  req.on('data', (c: Buffer) => { size += c.length })
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    const body = `${req.httpVersion} ${req.method} ${req.url} ${size}`
    if (req.url?.startsWith('/slow') === true) {
      if ('flushHeaders' in res) res.flushHeaders()
      setTimeout(() => res.end(body), 300)
    } else {
      res.end(body)
    }
  })
}

test('COILGUN_UPSTREAM_HTTP2 is auto by default; on/off and the old boolean spellings still parse; anything else is refused', () => {
  const base = { COILGUN_UPSTREAM: 'https://origin.example', COILGUN_SECRET: 'x'.repeat(32) }
  assert.equal(loadSenderConfig(base).upstreamHttp2, 'auto')
  assert.equal(loadSenderConfig({ ...base, COILGUN_UPSTREAM_HTTP2: 'AUTO' }).upstreamHttp2, 'auto')
  assert.equal(loadSenderConfig({ ...base, COILGUN_UPSTREAM_HTTP2: 'on' }).upstreamHttp2, 'on')
  assert.equal(loadSenderConfig({ ...base, COILGUN_UPSTREAM_HTTP2: 'true' }).upstreamHttp2, 'on')
  assert.equal(loadSenderConfig({ ...base, COILGUN_UPSTREAM_HTTP2: 'off' }).upstreamHttp2, 'off')
  assert.throws(() => loadSenderConfig({ ...base, COILGUN_UPSTREAM_HTTP2: 'h2c' }), /COILGUN_UPSTREAM_HTTP2.*auto, on or off/)
})

test('default setting: an HTTPS upstream that offers h2 gets concurrent GETs as streams of one connection, and POST', { skip: noOpenssl }, async (t) => {
  const pki = makePki()
  const server = createSecureServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), allowHTTP1: true }, answer)
  let connections = 0
  // The sender's health probes complete a TLS handshake too, without ALPN: only the
  // pool's connections (which negotiate a protocol) are counted.
  server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => { if (socket.alpnProtocol !== false) connections++ })
  const sessions = new Set<{ destroy: () => void }>()
  server.on('session', session => sessions.add(session))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const upstream = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { sender, url } = await startSender(upstream, { COILGUN_UPSTREAM_CA: pki.ca })
  t.after(async () => { await sender.close(); for (const session of sessions) session.destroy(); server.close() })

  // The first request opens the connection; ALPN tells the pool it multiplexes.
  assert.equal(await (await request(`${url}/first`)).body.text(), '2.0 GET /first 0')
  const slow = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await request(`${url}/slow/${i}`)).body.text()))
  slow.forEach((text, i) => assert.equal(text, `2.0 GET /slow/${i} 0`))
  assert.equal(connections, 1, `${connections} TLS connections for 31 GETs`)
  assert.equal(sessions.size, 1)
  const post = await request(`${url}/form`, { method: 'POST', body: 'hello' })
  assert.equal(await post.body.text(), '2.0 POST /form 5')
})

for (const mode of ['auto (the default)', 'on'] as const) {
test(`${mode}: an HTTPS upstream that speaks only HTTP/1.1 still answers, one request per connection at a time`, { skip: noOpenssl }, async (t) => {
  const pki = makePki()
  const server = createHttpsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ALPNProtocols: ['http/1.1'] }, answer)
  // Request heads that arrived on a connection (read off the decrypted bytes, before
  // Node's parser, which holds pipelined requests back) minus answers finished on it:
  // more than one is pipelining.
  const open = new Map<Socket, number>()
  let mostAtOnce = 0
  const alpn = new Set<string>()
  server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
    // A health probe: a handshake without ALPN, and no request.
    if (socket.alpnProtocol === false) return
    alpn.add(String(socket.alpnProtocol))
    open.set(socket, 0)
    socket.on('data', (chunk: Buffer) => {
      const heads = chunk.toString('latin1').match(/^(?:GET|HEAD|POST) \S+ HTTP\/1\.1\r$/gm)?.length ?? 0
      open.set(socket, open.get(socket)! + heads)
      mostAtOnce = Math.max(mostAtOnce, open.get(socket)!)
    })
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => { open.set(req.socket, open.get(req.socket)! - 1) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const upstream = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { sender, url } = await startSender(upstream, { COILGUN_UPSTREAM_CA: pki.ca, ...(mode === 'on' ? { COILGUN_UPSTREAM_HTTP2: 'on' } : {}) })
  t.after(async () => { await sender.close(); server.closeAllConnections(); server.close() })

  assert.equal(await (await request(`${url}/first`)).body.text(), '1.1 GET /first 0')
  const slow = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await request(`${url}/slow/${i}`)).body.text()))
  slow.forEach((text, i) => assert.equal(text, `1.1 GET /slow/${i} 0`))
  const post = await request(`${url}/form`, { method: 'POST', body: 'hello' })
  assert.equal(await post.body.text(), '1.1 POST /form 5')
  assert.deepEqual([...alpn], ['http/1.1'], 'the upstream chose HTTP/1.1 by ALPN')
  assert.equal(mostAtOnce, 1, `up to ${mostAtOnce} requests at once on one HTTP/1.1 connection (pipelined)`)
})
}

test('an idle upstream connection outlives undici\'s 4 s default keep-alive on the delta and passthrough paths', async (t) => {
  // keepAliveTimeout 0: the upstream never closes an idle connection and announces no
  // Keep-Alive timeout, so the sender's own idle timeout decides.
  const server = createServer({ keepAliveTimeout: 0 }, answer)
  // Connections that carried a request (the sender's health probes connect and close
  // without one).
  const used = new Set<Socket>()
  server.on('request', (req: IncomingMessage) => used.add(req.socket))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { sender, url } = await startSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  t.after(async () => { await sender.close(); server.closeAllConnections(); server.close() })

  assert.equal(await (await request(`${url}/page`)).body.text(), '1.1 GET /page 0')
  assert.equal(await (await request(`${url}/form`, { method: 'POST', body: 'a' })).body.text(), '1.1 POST /form 1')
  const before = used.size
  // Longer than undici's default keepAliveTimeout (4 s) with margin for a loaded machine.
  await sleep(6_500)
  assert.equal(await (await request(`${url}/page`)).body.text(), '1.1 GET /page 0')
  assert.equal(await (await request(`${url}/form`, { method: 'POST', body: 'b' })).body.text(), '1.1 POST /form 1')
  assert.equal(used.size, before, `${used.size - before} new upstream connection(s) after 6.5 s idle`)
})
