import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server, ServerResponse } from 'node:http'
import { test } from 'node:test'
import { request } from 'undici'
import { startSender } from './harness.ts'

// Issue 12, item 6: an application's own 503 was taken for a listener shutting
// down, retried on every upstream, and every upstream was marked down. A GET goes to
// another upstream only when the upstream itself failed: a connection failure, or a
// 503 a listener marks with Coilgun-Closing while it shuts down.

interface Upstream { server: Server, url: string, seen: number }

async function upstream (answer: (res: ServerResponse) => void): Promise<Upstream> {
  const up: Upstream = { server: createServer((_req, res) => { up.seen++; answer(res) }), url: '', seen: 0 }
  await new Promise<void>(resolve => up.server.listen(0, '127.0.0.1', () => resolve()))
  up.url = `http://127.0.0.1:${(up.server.address() as { port: number }).port}`
  return up
}

function answerFromB (res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('from B\n')
}

test('an application\'s 503 is served as is, not retried, and its upstream stays in rotation', async (t) => {
  const a = await upstream(res => res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '30' }).end('the application is down for maintenance\n'))
  const b = await upstream(answerFromB)
  const { sender, url } = await startSender(`${a.url},${b.url}`)
  t.after(async () => { await sender.close(); a.server.close(); b.server.close() })
  const bodies: string[] = []
  for (let i = 0; i < 6; i++) {
    const res = await request(`${url}/x${i}`)
    const text = await res.body.text()
    bodies.push(`${res.statusCode} ${text.trim()}`)
    if (res.statusCode === 503) assert.equal(res.headers['retry-after'], '30', 'the application\'s own headers')
  }
  assert.equal(a.seen + b.seen, 6, 'each GET went to one upstream only')
  assert.equal(a.seen, 3, 'the upstream that answered 503 stayed in rotation')
  assert.equal(bodies.filter(b => b === '503 the application is down for maintenance').length, 3, bodies.join(' | '))
})

test('a 503 marked Coilgun-Closing is retried on another upstream; the mark never reaches the visitor', async (t) => {
  const a = await upstream(res => res.writeHead(503, { 'content-type': 'text/plain', 'coilgun-closing': '1', connection: 'close' }).end('closing\n'))
  const b = await upstream(answerFromB)
  const { sender, url } = await startSender(`${a.url},${b.url}`)
  t.after(async () => { await sender.close(); a.server.close(); b.server.close() })
  for (let i = 0; i < 4; i++) {
    const res = await request(`${url}/y${i}`)
    assert.equal(res.statusCode, 200)
    assert.equal(await res.body.text(), 'from B\n')
    assert.equal(res.headers['coilgun-closing'], undefined)
  }
  assert.ok(a.seen >= 1 && a.seen <= 2, `the closing upstream was tried, then taken out of rotation (${a.seen})`)
})
