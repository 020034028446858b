import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { request } from 'undici'
import type { AppState } from '../../../test/support/originConformance.ts'
import { SECRET } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startPair, startSender } from './harness.ts'

// Issue 4: what a visitor sees at the edge, and what reaches the origin.

/** Writes raw bytes to the sender and returns everything it answers until it closes. */
function rawExchange (url: string, bytes: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => { socket.write(bytes) })
    let data = ''
    socket.setTimeout(3000, () => socket.destroy())
    socket.on('data', d => { data += d.toString() })
    socket.on('close', () => resolve(data))
    socket.on('error', () => resolve(data))
  })
}

async function listen (server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** An origin that records each request and answers with hop-by-hop and internal headers. */
async function echoOrigin (): Promise<{ url: string, seen: Array<{ method: string, headers: IncomingHttpHeaders, body: string }>, server: Server, firstBodyBytes: Promise<void> }> {
  const seen: Array<{ method: string, headers: IncomingHttpHeaders, body: string }> = []
  let sawBodyBytes = (): void => {}
  const firstBodyBytes = new Promise<void>(resolve => { sawBodyBytes = resolve })
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => { chunks.push(c); sawBodyBytes() })
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200, {
        'content-type': 'text/plain',
        connection: 'keep-alive, x-hop',
        'x-hop': 'must not reach the visitor',
        'keep-alive': 'timeout=5',
        'coilgun-origin-etag': '"forged"',
        im: 'vcdiff',
        'x-app': 'kept'
      })
      res.end(`echo ${req.method} ${Buffer.concat(chunks).length}`)
    })
  })
  return { url: await listen(server), seen, server, firstBodyBytes }
}

test('visitors cannot inject the secret or delta headers; X-Forwarded-* are set; hop-by-hop headers are stripped both ways', async (t) => {
  const origin = await echoOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.server.close() })
  const res = await rawGet(`${url}/x?y=1`, {
    'coilgun-secret': 'visitor-guess-0123456789',
    'a-im': 'vcdiff',
    'delta-base': '"cg-forged"',
    'available-dictionary': ':AAAA:',
    'repr-digest': 'sha-256=:AAAA:',
    'x-forwarded-for': '6.6.6.6',
    'x-forwarded-host': 'evil.example',
    'x-visitor': 'keep me'
  })
  assert.equal(res.status, 200)
  const got = origin.seen[0]!.headers
  // The sender's own secret goes upstream, never the visitor's.
  assert.equal(got['coilgun-secret'], SECRET)
  assert.notEqual(got['delta-base'], '"cg-forged"')
  assert.equal(got['repr-digest'], undefined)
  assert.equal(got['x-visitor'], 'keep me')
  assert.equal(got['x-forwarded-for'], '127.0.0.1')
  assert.equal(got['x-forwarded-proto'], 'http')
  assert.equal(got['x-forwarded-host'], new URL(url).host)
  assert.equal(got.host, new URL(url).host, 'the visitor\'s Host reaches the origin')
  for (const name of ['x-hop', 'coilgun-origin-etag', 'im']) assert.equal(res.headers[name], undefined, `${name} reached the visitor`)
  assert.notEqual(res.headers['keep-alive'], 'timeout=5', 'the origin\'s Keep-Alive is its own connection\'s')
  assert.equal(res.headers['x-app'], 'kept')
  assert.match(String(res.headers.coilgun), /^passthrough/)
})

test('headers a visitor lists in Connection are not forwarded', async (t) => {
  const origin = await echoOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.server.close() })
  const raw = await rawExchange(url, 'GET /hop HTTP/1.1\r\nHost: a.test\r\nConnection: close, x-visitor-hop\r\nX-Visitor-Hop: drop me\r\nX-Visitor: keep me\r\n\r\n')
  assert.match(raw, /^HTTP\/1\.1 200/)
  assert.equal(origin.seen[0]!.headers['x-visitor-hop'], undefined)
  assert.equal(origin.seen[0]!.headers['x-visitor'], 'keep me')
  assert.equal(origin.seen[0]!.headers.host, 'a.test')
})

test('POST with a chunked body is streamed to the origin; HEAD works', async (t) => {
  const origin = await echoOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.server.close() })
  // The visitor holds back the rest of its body until the origin has seen the first
  // bytes: a sender that buffered bodies would never get there.
  const streamed = Promise.race([
    origin.firstBodyBytes.then(() => true),
    new Promise<boolean>(resolve => setTimeout(resolve, 10_000, false).unref())
  ])
  const res = await request(`${url}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'coilgun-secret': 'visitor-guess-0123456789' },
    body: Readable.from((async function * chunks () {
      yield Buffer.alloc(10_000, 0)
      assert.ok(await streamed, 'the origin saw the first bytes before the visitor sent the rest')
      for (let i = 1; i < 10; i++) yield Buffer.alloc(10_000, i)
    })())
  })
  assert.equal(res.statusCode, 200)
  assert.equal(await res.body.text(), 'echo POST 100000')
  const post = origin.seen.find(s => s.method === 'POST')!
  assert.equal(post.headers['transfer-encoding'], 'chunked')
  assert.equal(post.body, Array.from({ length: 10 }, (_, i) => Buffer.alloc(10_000, i).toString()).join(''))
  assert.equal(post.headers['coilgun-secret'], undefined, 'passthrough requests carry no secret')
  const head = await request(`${url}/x`, { method: 'HEAD' })
  assert.equal(head.statusCode, 200)
  assert.equal((await head.body.arrayBuffer()).byteLength, 0)
})

test('a visitor\'s conditional request gets a 304 against the app\'s ETag and Last-Modified', async (t) => {
  const pages = versionedPages(2)
  const page = pages[0]!
  const state: AppState = { current: new Map() }
  const pair = await startPair(pages, state)
  t.after(pair.close)
  const first = await rawGet(`${pair.url}/page/${page.name}`)
  assert.equal(first.headers.etag, '"app-0"')
  const again = await rawGet(`${pair.url}/page/${page.name}`, { 'if-none-match': '"app-0"' })
  assert.equal(again.status, 304)
  assert.equal(again.body.length, 0)
  const weak = await rawGet(`${pair.url}/page/${page.name}`, { 'if-none-match': 'W/"app-0", "other"' })
  assert.equal(weak.status, 304)
  state.current.set(page.name, 1)
  const changed = await rawGet(`${pair.url}/page/${page.name}`, { 'if-none-match': '"app-0"' })
  assert.equal(changed.status, 200)
  assert.ok(changed.body.equals(page.versions[1]!))
  const head = await request(`${pair.url}/page/${page.name}`, { method: 'HEAD' })
  assert.equal(head.statusCode, 200)
  assert.equal(Number(head.headers['content-length']), page.versions[1]!.length)
})

test('upstream down: 502 with a short body; upstream hanging: 504', async (t) => {
  // A port with nothing listening.
  const dead = createServer()
  const deadUrl = await listen(dead)
  await new Promise<void>(resolve => dead.close(() => resolve()))
  const down = await startSender(deadUrl)
  t.after(() => down.sender.close())
  for (const method of ['GET', 'POST'] as const) {
    const res = await request(`${down.url}/page`, { method, ...(method === 'POST' ? { body: 'x' } : {}) })
    assert.equal(res.statusCode, 502, method)
    assert.match(await res.body.text(), /Bad Gateway/)
  }
  // Accepts the connection, never answers.
  const sockets = new Set<Socket>()
  const hang = createServer()
  hang.on('connection', s => sockets.add(s))
  const hangUrl = await listen(hang)
  const slow = await startSender(hangUrl, { COILGUN_UPSTREAM_TIMEOUT_MS: '300' })
  t.after(async () => { await slow.sender.close(); for (const s of sockets) s.destroy(); hang.close() })
  const res = await request(`${slow.url}/page`)
  assert.equal(res.statusCode, 504)
  assert.match(await res.body.text(), /Gateway Timeout/)
  // The process is still serving.
  assert.equal((await request(`${slow.url}/page`)).statusCode, 504)
})

test('a raw request with conflicting Content-Length and Transfer-Encoding is refused', async (t) => {
  const origin = await echoOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.server.close() })
  const answer = await rawExchange(url, 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
  assert.match(answer, /^HTTP\/1\.1 400/)
  assert.equal(origin.seen.length, 0, 'nothing reached the origin')
})
