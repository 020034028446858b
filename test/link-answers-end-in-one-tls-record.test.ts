import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect as http2Connect } from 'node:http2'
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import Fastify from 'fastify'
import { startListener, startSender } from '../apps/listener/test/harness.ts'
import { makePki } from '@coilgun/fixtures/pki'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// Issue 17, the header diet: over HTTP/2 with TLS, a delta answer from the listener
// is one TLS record (HEADERS, then DATA carrying END_STREAM). Node's compatibility
// API waits for trailers on every response and so ends each stream with an empty
// DATA frame in a TLS record of its own: 31 B more per changed page. Counted here on
// the wire, in a relay between the sender and the listener that reads the TLS record
// headers (RFC 8446 section 5.1) the listener sends.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0
const APPLICATION_DATA = 23

/** A TCP relay to `port` that counts the TLS records coming back from it. */
async function recordCountingRelay (port: number): Promise<{ port: number, records: () => number, close: () => void }> {
  let records = 0
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    const upstream = connect(port, '127.0.0.1')
    sockets.add(client).add(upstream)
    let pending = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
        if (pending[0] === APPLICATION_DATA) records++
        pending = pending.subarray(5 + pending.readUInt16BE(3))
      }
      client.write(chunk)
    })
    client.on('data', (chunk: Buffer) => upstream.write(chunk))
    const end = (): void => { client.destroy(); upstream.destroy() }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    records: () => records,
    close: () => { server.close(); for (const s of sockets) s.destroy() }
  }
}

test('over HTTP/2 with TLS, each delta answer from the listener is one TLS record', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const page = versionedPages(5)[0]!
  let version = 0
  const origin = Fastify()
  origin.get('/page', async function page_ (_request, reply) {
    reply.header('content-type', page.contentType)
    return reply.send(page.versions[version % page.versions.length])
  })
  const originUrl = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: originUrl, COILGUN_TLS_CERT: pki.serverCert, COILGUN_TLS_KEY: pki.serverKey })
  t.after(() => listener.close())
  const sessions: unknown[] = []
  listener.app.server.on('session', (session: unknown) => sessions.push(session))
  const relay = await recordCountingRelay(Number(new URL(listenerUrl).port))
  t.after(relay.close)
  // Health probes are connections (and records) of their own: the first runs at start,
  // during the first exchange, which is not counted; the next not within this test.
  const { sender, url } = await startSender(`https://127.0.0.1:${relay.port}`, { COILGUN_UPSTREAM_CA: pki.ca, COILGUN_HEALTH_CHECK_INTERVAL_MS: '1h' })
  t.after(() => sender.close())

  const perAnswer: number[] = []
  for (version = 0; version < page.versions.length; version++) {
    const before = relay.records()
    const res = await request(`${url}/page`)
    const body = Buffer.from(await res.body.arrayBuffer())
    assert.equal(res.statusCode, 200)
    assert.ok(body.equals(page.versions[version]!), `version ${version + 1}`)
    const outcome = String(res.headers.coilgun).split(';')[0]
    // The first exchange also carries the connection's settings and the TLS session tickets.
    if (version > 0) {
      assert.equal(outcome, 'delta')
      perAnswer.push(relay.records() - before)
    }
  }
  t.diagnostic(`TLS records per delta answer: ${perAnswer.join(', ')}`)
  assert.ok(sessions.length >= 1, 'the link ran HTTP/2 (over HTTP/1.1 an answer is one record too)')
  assert.equal(perAnswer.length, page.versions.length - 1)
  assert.ok(perAnswer.every(n => n === 1), `each delta answer in one TLS record: ${perAnswer.join(', ')}`)
})

test('over HTTP/2, the listener still ends every kind of answer: a large streamed body, HEAD, 304, an error', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const large = Buffer.alloc(300_000, 'x')
  const origin = Fastify()
  origin.get('/large', async function large_ (_request, reply) { return reply.type('application/octet-stream').send(large) })
  origin.get('/same', async function same (request, reply) {
    if (request.headers['if-none-match'] === '"v1"') return reply.code(304).header('etag', '"v1"').send()
    return reply.header('etag', '"v1"').send('same')
  })
  origin.get('/broken', async function broken (_request, reply) { return reply.code(500).send('broken') })
  const originUrl = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  const { listener, url } = await startListener({ COILGUN_ORIGIN: originUrl, COILGUN_TLS_CERT: pki.serverCert, COILGUN_TLS_KEY: pki.serverKey })
  t.after(() => listener.close())
  const session = http2Connect(url, { ca: readFileSync(pki.ca) })
  t.after(() => session.close())
  async function get (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number, body: Buffer }> {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path, ':method': method, ...headers })
      const chunks: Buffer[] = []
      let status = 0
      stream.on('response', h => { status = Number(h[':status']) })
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }))
      stream.on('error', reject)
      stream.end()
    })
  }
  const big = await get('/large')
  assert.equal(big.status, 200)
  assert.ok(big.body.equals(large), `the whole ${large.length} B body (${big.body.length} B)`)
  const head = await get('/large', {}, 'HEAD')
  assert.equal(head.status, 200)
  assert.equal(head.body.length, 0)
  assert.equal((await get('/same', { 'if-none-match': '"v1"' })).status, 304)
  assert.equal((await get('/broken')).status, 500)
  assert.equal((await get('/same')).body.toString(), 'same')
})
