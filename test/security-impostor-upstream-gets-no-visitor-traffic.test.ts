import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { startSender } from '../apps/sender/test/harness.ts'
import { makePki } from '@coilgun/fixtures/pki'

// Issue 8: someone on the network between sender and listener answers in the
// listener's place over TLS, with a certificate from a CA the sender does not trust
// (or, with no COILGUN_UPSTREAM_CA, from no public CA). The sender must not talk to
// it, on the delta path (GET) nor on the passthrough path (POST bodies, cookies):
// before issue 8, @fastify/reply-from's default (rejectUnauthorized: false) let every
// passthrough request through to the impostor. With the right CA, both paths work.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

test('an upstream with an untrusted certificate gets no visitor request; a trusted one gets both kinds', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const seen: string[] = []
  const upstream = createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.cookie ?? ''}`)
    req.resume()
    req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('from the upstream') })
  })
  await new Promise<void>(resolve => upstream.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  t.after(() => { upstream.closeAllConnections(); upstream.close() })

  const untrusting: Array<Record<string, string>> = [{}, { COILGUN_UPSTREAM_CA: pki.otherCa }]
  for (const env of untrusting) {
    const { sender, url: senderUrl } = await startSender(url, env)
    t.after(() => sender.close())
    const get = await request(`${senderUrl}/page`, { headers: { cookie: 'session=visitor-secret' } })
    assert.equal(get.statusCode, 502, `GET with ${JSON.stringify(env)}`)
    await get.body.dump()
    const post = await request(`${senderUrl}/login`, { method: 'POST', headers: { cookie: 'session=visitor-secret' }, body: 'password=hunter2' })
    assert.equal(post.statusCode, 502, `POST with ${JSON.stringify(env)}`)
    await post.body.dump()
  }
  assert.deepEqual(seen, [], 'the impostor received nothing')

  const { sender, url: senderUrl } = await startSender(url, { COILGUN_UPSTREAM_CA: pki.ca })
  t.after(() => sender.close())
  const get = await request(`${senderUrl}/page`)
  assert.equal(get.statusCode, 200)
  assert.equal(await get.body.text(), 'from the upstream')
  const post = await request(`${senderUrl}/login`, { method: 'POST', body: 'x' })
  assert.equal(post.statusCode, 200)
  assert.equal(await post.body.text(), 'from the upstream')
})
