import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { test } from 'node:test'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener } from './harness.ts'

// Issue 5: a host map routes each Host to its origin; an unknown host without a
// default gets 421; neither Host nor an absolute-form target can reach anything
// outside the map.

async function namedOrigin (name: string): Promise<{ url: string, server: Server, hits: string[] }> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(`${req.headers.host} ${req.url}`)
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`origin ${name}`)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits }
}

function rawRequest (url: string, text: string): Promise<string> {
  return new Promise(resolve => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(text))
    let data = ''
    socket.setTimeout(3000, () => socket.destroy())
    socket.on('data', d => { data += d.toString() })
    socket.on('close', () => resolve(data))
    socket.on('error', () => resolve(data))
  })
}

test('two origins by host; unknown host 421; no SSRF through Host or absolute-form URLs', async (t) => {
  const www = await namedOrigin('www')
  const api = await namedOrigin('api')
  const outside = await namedOrigin('outside')
  const { listener, url } = await startListener({ COILGUN_ORIGINS: `www.example.test=${www.url}, API.example.test=${api.url}` })
  t.after(async () => { await listener.close(); for (const o of [www, api, outside]) o.server.close() })

  const direct = await rawGet(`${url}/a`, { host: 'www.example.test' })
  assert.equal(direct.body.toString(), 'origin www')
  assert.match(String(direct.headers['coilgun-listener']), /^passthrough; ot=\d+$/)
  assert.equal((await rawGet(`${url}/b`, { host: 'api.example.test:8443' })).body.toString(), 'origin api')
  assert.equal((await rawGet(`${url}/c`, { host: 'WWW.EXAMPLE.TEST.' })).body.toString(), 'origin www')
  const unknown = await rawGet(`${url}/d`, { host: 'unknown.example.test' })
  assert.equal(unknown.status, 421)
  assert.match(unknown.body.toString(), /no origin is configured for host "unknown\.example\.test"/)
  const outsideHost = new URL(outside.url).host
  assert.equal((await rawGet(`${url}/e`, { host: outsideHost })).status, 421)
  // Absolute-form target naming another server: a 400 (issue 13); naming the
  // Host: routed by it, path only (RFC 9112 section 3.2.2).
  const absolute = await rawRequest(url, `GET ${outside.url}/secret HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n`)
  assert.match(absolute, /^HTTP\/1\.1 400 /)
  const same = await rawRequest(url, 'GET http://www.example.test/secret HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n')
  assert.match(same, /origin www/)
  assert.deepEqual(outside.hits, [], 'nothing reached a server outside the map')
  assert.ok(www.hits.includes('www.example.test /secret'))
})

test('a default entry catches every other host', async (t) => {
  const www = await namedOrigin('www')
  const fallback = await namedOrigin('default')
  const { listener, url } = await startListener({ COILGUN_ORIGINS: `www.example.test=${www.url},default=${fallback.url}` })
  t.after(async () => { await listener.close(); www.server.close(); fallback.server.close() })
  assert.equal((await rawGet(`${url}/`, { host: 'other.test' })).body.toString(), 'origin default')
  assert.equal((await rawGet(`${url}/`, { host: 'www.example.test' })).body.toString(), 'origin www')
})
