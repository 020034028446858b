import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import WebSocket from 'ws'
import { startSender } from '../apps/sender/test/harness.ts'
import { parseFirstResponse, startTopologies } from './support/proxyTopology.ts'

// Issue 13: WebSocket (any Upgrade) through the sender, and through the sender and a
// listener mapped `a.example=A, default=D`. Before the fix the sender answered 101
// itself and reconnected to the upstream without the visitor's Host, so the listener
// sent site A's cookies to the default origin; the listener forwarded an upgrade as a
// plain GET. Now the handshake is forwarded, routed like any request, and 101 comes
// from the origin.

async function openSocket (url: string, path: string, headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + path, { headers })
  await once(ws, 'open')
  return ws
}

async function echo (ws: WebSocket, text: string): Promise<string> {
  ws.send(text)
  const [data] = await once(ws, 'message') as [Buffer]
  return data.toString()
}

test('a WebSocket reaches the origin of its Host with the visitor\'s Host and cookies, and nobody else', async (t) => {
  for (const topo of await startTopologies(t)) {
    const ws = await openSocket(topo.url, '/chat?room=1', { host: 'a.example', cookie: 'a_session=secret-a' })
    assert.equal(await echo(ws, 'ping'), 'a: ping', `${topo.name}: frames go both ways through the tunnel`)
    assert.equal(await echo(ws, 'x'.repeat(200_000)), `a: ${'x'.repeat(200_000)}`, `${topo.name}: a large frame`)
    ws.close()
    const hs = topo.a.seen.filter(r => r.upgrade)
    assert.equal(hs.length, 1, `${topo.name}: origin A got one handshake`)
    assert.equal(hs[0]!.url, '/chat?room=1')
    assert.equal(hs[0]!.headers.host, 'a.example', `${topo.name}: the visitor's Host`)
    assert.equal(hs[0]!.headers.cookie, 'a_session=secret-a')
    assert.equal(hs[0]!.headers.upgrade, 'websocket')
    assert.ok(hs[0]!.headers['sec-websocket-key'] !== undefined)
    assert.deepEqual(topo.d.seen, [], `${topo.name}: the default origin saw nothing of site A`)
    assert.deepEqual(topo.a.seen.filter(r => !r.upgrade), [], `${topo.name}: not forwarded as a plain GET`)
  }
})

test('through the listener, an upgrade for another host goes to the default origin, with that host\'s cookies only', async (t) => {
  const [, topo] = await startTopologies(t)
  const ws = await openSocket(topo!.url, '/live', { host: 'b.example', cookie: 'b_session=secret-b' })
  assert.equal(await echo(ws, 'hi'), 'd: hi')
  ws.close()
  assert.deepEqual(topo!.a.seen, [], 'origin A saw nothing')
  const hs = topo!.d.seen.filter(r => r.upgrade)
  assert.equal(hs.length, 1)
  assert.equal(hs[0]!.headers.host, 'b.example')
  assert.equal(hs[0]!.headers.cookie, 'b_session=secret-b')
})

test('the visitor gets 101 only after the origin sent it; a declined upgrade reaches the visitor as the origin answered', async (t) => {
  for (const topo of await startTopologies(t)) {
    // The origin waits 300 ms before its 101: nothing may reach the visitor before it.
    const socket = connect(Number(new URL(topo.url).port), '127.0.0.1')
    await once(socket, 'connect')
    const started = performance.now()
    socket.write('GET /slow-upgrade HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    const [first] = await once(socket, 'data') as [Buffer]
    const waited = performance.now() - started
    socket.destroy()
    const answer = parseFirstResponse(first.toString('latin1'))
    assert.equal(answer.status, 101, topo.name)
    // RFC 6455 section 1.3: the origin's accept value for that key, passed on unchanged.
    assert.equal(answer.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
    assert.ok(waited >= 250, `${topo.name}: the 101 came after ${Math.round(waited)} ms, before the origin's`)

    const refused = new WebSocket(topo.url.replace(/^http/, 'ws') + '/refuse', { headers: { host: 'a.example' } })
    refused.on('error', function ignoreAbort () {})
    const [, res] = await once(refused, 'unexpected-response') as [unknown, { statusCode: number, on: (e: string, f: (d: Buffer) => void) => void }]
    assert.equal(res.statusCode, 403, `${topo.name}: the origin's refusal, not a 101`)
    refused.terminate()
  }
})

test('an upgrade to an upstream that is down is a 502 with Cache-Control: no-store, never a 101', async (t) => {
  const { sender, url } = await startSender('http://127.0.0.1:9')
  t.after(() => sender.close())
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  await once(socket, 'connect')
  socket.write('GET /ws HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  let text = ''
  socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
  await once(socket, 'close')
  const answer = parseFirstResponse(text)
  assert.equal(answer.status, 502)
  assert.equal(answer.headers['cache-control'], 'no-store')
  assert.ok(answer.body.length < 200)
})

test('open tunnels close with the sender, and the sender closes while they are open', async (t) => {
  const [topo] = await startTopologies(t)
  const { sender, url } = await startSender(topo!.a.url)
  const ws = await openSocket(url, '/hold', { host: 'a.example' })
  assert.equal(await echo(ws, 'up'), 'a: up')
  const closed = once(ws, 'close')
  await sender.close()
  await closed
})

test('an upgrade request carrying a body is refused with a 400 and reaches no origin (its body would pass as the new protocol)', async (t) => {
  for (const topo of await startTopologies(t)) {
    const socket = connect(Number(new URL(topo.url).port), '127.0.0.1')
    await once(socket, 'connect')
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: a.example\r\n\r\n'
    socket.write(`POST /ws HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`)
    let text = ''
    socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
    await once(socket, 'close')
    const answer = parseFirstResponse(text)
    assert.equal(answer.status, 400, `${topo.name}: ${text}`)
    assert.equal(answer.headers['cache-control'], 'no-store')
    assert.deepEqual([...topo.a.seen, ...topo.d.seen], [], topo.name)
  }
})
