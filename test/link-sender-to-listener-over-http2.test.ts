import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { request } from 'undici'
import WebSocket from 'ws'
import { startListener, startSender } from '../apps/listener/test/harness.ts'
import { makePki } from '@coilgun/fixtures/pki'
import { recordingOrigin } from './support/proxyTopology.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import Fastify from 'fastify'

// Issue 17: the Railgun topology over one multiplexed link. coilgun-listener serves
// HTTP/2 (ALPN h2, HTTP/1.1 still accepted) when TLS is configured, and the sender
// speaks HTTP/2 to it by default (COILGUN_UPSTREAM_HTTP2=auto, ALPN): many concurrent
// GETs travel as streams of one connection, every rebuilt page is verified, and POST
// and WebSocket still work.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

test('sender -> listener over TLS, default settings: HTTP/2, one connection for concurrent GETs, deltas verified, POST and WebSocket work', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const pages = versionedPages(4)
  let version = 0
  const origin = Fastify()
  origin.get<{ Params: { name: string } }>('/page/:name', async function page (request, reply) {
    const p = pages.find(x => x.name === request.params.name)!
    reply.header('content-type', p.contentType)
    return reply.send(p.versions[version % p.versions.length])
  })
  origin.post('/echo', async function echo (request) { return { got: request.body } })
  const originUrl = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  // WebSockets go to an origin that echoes (the host map sends ws.example there).
  const wsOrigin = await recordingOrigin('ws')
  t.after(() => wsOrigin.close())

  const { listener, url: listenerUrl } = await startListener({
    COILGUN_ORIGINS: `ws.example=${wsOrigin.url},default=${originUrl}`,
    COILGUN_TLS_CERT: pki.serverCert,
    COILGUN_TLS_KEY: pki.serverKey
  })
  t.after(() => listener.close())
  const sessions: unknown[] = []
  listener.app.server.on('session', (s: unknown) => sessions.push(s))
  let tlsConnections = 0
  // The sender's health probes are TLS handshakes without ALPN: only connections that
  // negotiated a protocol carry requests.
  listener.app.server.on('secureConnection', (socket: { alpnProtocol?: string | false }) => { if (socket.alpnProtocol !== false) tlsConnections++ })
  const { sender, url } = await startSender(listenerUrl, { COILGUN_UPSTREAM_CA: pki.ca, COILGUN_DIAGNOSTIC_HEADER: 'on' })
  t.after(() => sender.close())

  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
  // The first request opens the connection (a burst at a cold pool may open several
  // before the first handshake tells undici the connection multiplexes).
  assert.equal((await request(`${url}/page/${pages[0]!.name}?warm`)).statusCode, 200)
  const outcomes = new Map<string, number>()
  for (version = 0; version < 3; version++) {
    // Every page of this version, many times at once.
    const answers = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const p = pages[i % pages.length]!
      const res = await request(`${url}/page/${p.name}?copy=${i % 4}`)
      const body = Buffer.from(await res.body.arrayBuffer())
      return { p, status: res.statusCode, body, outcome: String(res.headers.coilgun).split(';')[0]! }
    }))
    for (const a of answers) {
      assert.equal(a.status, 200)
      assert.equal(sha(a.body), sha(a.p.versions[version % a.p.versions.length]!), 'the rebuilt page is the origin\'s version')
      outcomes.set(a.outcome, (outcomes.get(a.outcome) ?? 0) + 1)
    }
  }
  t.diagnostic(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ${sessions.length} HTTP/2 session(s) at the listener`)
  assert.ok((outcomes.get('delta') ?? 0) > 0, 'deltas flowed over HTTP/2')
  assert.equal(sessions.length, 1, 'all GETs were streams of one HTTP/2 connection')

  const post = await request(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) })
  assert.equal(post.statusCode, 200)
  assert.deepEqual(await post.body.json(), { got: { a: 1 } })

  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/chat', { headers: { host: 'ws.example' } })
  await once(ws, 'open')
  ws.send('over h2 link')
  const [data] = await once(ws, 'message') as [Buffer]
  assert.equal(data.toString(), 'ws: over h2 link', 'the upgrade reached the origin through the HTTPS listener')
  ws.close()

  // A warm link (issue 17): after an idle spell longer than undici's default keep-alive
  // (4 s), the next page travels on the same HTTP/2 connection, no new TLS handshake.
  const handshakes = tlsConnections
  const sessionsBefore = sessions.length
  await sleep(6_500)
  const again = await request(`${url}/page/${pages[0]!.name}?copy=0`)
  assert.equal(sha(Buffer.from(await again.body.arrayBuffer())), sha(pages[0]!.versions[version % pages[0]!.versions.length]!), 'the page after the idle spell is the current version')
  assert.equal(tlsConnections, handshakes, 'no new TLS connection after 6.5 s idle')
  assert.equal(sessions.length, sessionsBefore, 'no new HTTP/2 session after 6.5 s idle')
})
