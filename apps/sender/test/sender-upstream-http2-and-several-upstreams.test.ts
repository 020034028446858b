import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createSecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { makePki } from '@coilgun/fixtures/pki'
import { startSender } from './harness.ts'
import { waitFor } from '@coilgun/fixtures/waitFor'

// Issue 4/5: HTTP/2 to the upstream (over TLS, verified against a CA) as an option;
// bodies spread over several upstreams, and a dead one leaves the rotation.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

test('COILGUN_UPSTREAM_HTTP2: GET and POST reach an HTTP/2-only upstream over verified TLS', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const versions: string[] = []
  const server = createSecureServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), allowHTTP1: false }, (req, res) => {
    versions.push(req.httpVersion)
    if (req.url?.startsWith('/slow') === true) {
      setTimeout(() => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('slow') }, 300)
      return
    }
    let size = 0
    req.on('data', (c: Buffer) => { size += c.length })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`h2 ${req.method} ${size}`)
    })
  })
  const sessions = new Set<{ destroy: () => void }>()
  server.on('session', session => sessions.add(session))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const upstream = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { sender, url } = await startSender(upstream, { COILGUN_UPSTREAM_HTTP2: 'on', COILGUN_UPSTREAM_CA: pki.ca })
  t.after(async () => { await sender.close(); for (const session of sessions) session.destroy(); server.close() })
  const get = await request(`${url}/x`)
  assert.equal(get.statusCode, 200)
  assert.equal(await get.body.text(), 'h2 GET 0')
  // Twenty visitors at once: one HTTP/2 connection carries them all as streams
  // (a connection per request would pay a TCP and a TLS handshake each).
  const slow = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await request(`${url}/slow/${i}`)).body.text()))
  assert.ok(slow.every(text => text === 'slow'))
  assert.equal(sessions.size, 1, `${sessions.size} HTTP/2 connections for 21 GETs`)
  const post = await request(`${url}/y`, { method: 'POST', body: 'hello' })
  assert.equal(await post.body.text(), 'h2 POST 5')
  assert.ok(versions.length >= 2 && versions.every(v => v === '2.0'), `HTTP versions seen: ${versions.join(',')}`)
})

test('POSTs rotate over two upstreams; a dead upstream is taken out after one failure', async (t) => {
  const hits = { a: 0, b: 0 }
  const servers = (['a', 'b'] as const).map(name => createServer((req, res) => {
    hits[name]++
    req.resume()
    req.on('end', () => res.end(name))
  }))
  for (const s of servers) await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const urls = servers.map(s => `http://127.0.0.1:${(s.address() as AddressInfo).port}`)
  const { sender, url } = await startSender(urls.join(','))
  t.after(async () => { await sender.close(); for (const s of servers) { s.closeAllConnections(); s.close() } })
  for (let i = 0; i < 10; i++) assert.equal((await request(`${url}/p`, { method: 'POST', body: 'x' })).statusCode, 200)
  assert.ok(hits.a > 0 && hits.b > 0, `both upstreams used: ${JSON.stringify(hits)}`)
  servers[0]!.closeAllConnections()
  await new Promise<void>(resolve => servers[0]!.close(() => resolve()))
  const statuses: number[] = []
  for (let i = 0; i < 10; i++) statuses.push((await request(`${url}/p`, { method: 'POST', body: 'x' })).statusCode)
  assert.ok(statuses.filter(s => s === 502).length <= 1, `at most the first POST to the dead upstream fails: ${statuses.join(',')}`)
  assert.equal(statuses.at(-1), 200)
})

test('an upstream named by an IPv6 literal comes back into rotation after it was taken out', async (t) => {
  // The sender's probe of a down upstream connected to "[::1]", brackets and all: the
  // lookup failed every second, so such an upstream never came back.
  const hits = { a: 0, b: 0 }
  const handler = (name: 'a' | 'b') => (req: IncomingMessage, res: ServerResponse) => { hits[name]++; req.resume(); req.on('end', () => res.end(name)) }
  let a = createServer(handler('a'))
  const b = createServer(handler('b'))
  await new Promise<void>(resolve => a.listen(0, '::1', resolve))
  await new Promise<void>(resolve => b.listen(0, '127.0.0.1', resolve))
  const portA = (a.address() as AddressInfo).port
  const { sender, url } = await startSender(`http://[::1]:${portA},http://127.0.0.1:${(b.address() as AddressInfo).port}`)
  t.after(async () => { await sender.close(); for (const s of [a, b]) { s.closeAllConnections(); s.close() } })
  a.closeAllConnections()
  await new Promise<void>(resolve => a.close(() => resolve()))
  // POSTs until one meets the dead upstream and takes it out of rotation.
  for (let i = 0; i < 4; i++) await (await request(`${url}/p`, { method: 'POST', body: 'x' })).body.dump()
  a = createServer(handler('a'))
  await new Promise<void>(resolve => a.listen(portA, '::1', resolve))
  const before = hits.a
  await waitFor('the IPv6 upstream to get requests again', async () => {
    await (await request(`${url}/p`, { method: 'POST', body: 'x' })).body.dump()
    return hits.a > before
  }, 15_000)
})
