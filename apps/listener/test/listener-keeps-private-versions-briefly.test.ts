import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { loadListenerConfig } from '@coilgun/listener'
import { SenderClient } from '../../../test/support/senderClient.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SECRET, startListener } from './harness.ts'

// Issue 11: the listener recognises private responses from the origin's headers
// (and COILGUN_PRIVATE_PATHS), keeps their versions COILGUN_PRIVATE_TTL_SECONDS only,
// and with COILGUN_PRIVATE_DELTAS=off answers them in full.

const page = versionedPages(4)[0]!

/** A plain origin: `/me` is private by its headers, `/profile` by the listener's path list, `/news` public. */
async function startOrigin (t: { after: (fn: () => Promise<void>) => void }, current: { index: number }): Promise<string> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> = { 'content-type': page.contentType }
    if (req.url === '/me') headers['cache-control'] = 'private, no-store'
    res.writeHead(200, headers)
    // Each path its own bytes: the store is content-addressed, and a public page with
    // the same bytes as a private one would keep them for the public lifetime.
    res.end(Buffer.concat([Buffer.from(`<!-- ${req.url} -->\n`), page.versions[current.index]!]))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

test('private versions leave the listener\'s store at COILGUN_PRIVATE_TTL_SECONDS; public ones stay', async (t) => {
  const current = { index: 0 }
  const origin = await startOrigin(t, current)
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin, COILGUN_PRIVATE_TTL_SECONDS: '4', COILGUN_PRIVATE_PATHS: '/profile' })
  t.after(() => listener.close())
  const sender = await SenderClient.create(url, SECRET, ['vcdiff'])
  // Four seconds: the first full answers (brotli of a 400 KB page, the encoder
  // worker starting) must not outlive the lifetime on a loaded machine.
  const kinds = async (): Promise<string[]> => Promise.all(['/me', '/profile', '/news'].map(async path => (await sender.get(path)).rebuilt.kind))
  assert.deepEqual(await kinds(), ['full', 'full', 'full'])
  current.index = 1
  assert.deepEqual(await kinds(), ['delta', 'delta', 'delta'], 'within the lifetime, private pages get deltas too')
  await sleep(4300)
  current.index = 2
  assert.deepEqual(await kinds(), ['full', 'full', 'delta'], 'the private bases expired, the public one did not')
})

test('COILGUN_PRIVATE_DELTAS=off: private responses are answered in full', async (t) => {
  const current = { index: 0 }
  const origin = await startOrigin(t, current)
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin, COILGUN_PRIVATE_DELTAS: 'off' })
  t.after(() => listener.close())
  const sender = await SenderClient.create(url, SECRET, ['vcdiff'])
  for (let i = 0; i < 3; i++) {
    current.index = i
    assert.equal((await sender.get('/me')).rebuilt.kind, 'full')
    assert.equal((await sender.get('/news')).rebuilt.kind, i === 0 ? 'full' : 'delta')
  }
})

test('the privacy variables are validated', () => {
  const good = { COILGUN_ORIGIN: 'http://127.0.0.1:9', COILGUN_SECRET: SECRET }
  for (const [name, env] of [['COILGUN_PRIVATE_TTL_SECONDS', { COILGUN_PRIVATE_TTL_SECONDS: '0' }], ['COILGUN_PRIVATE_PATHS', { COILGUN_PRIVATE_PATHS: 'me' }], ['COILGUN_PRIVATE_DELTAS', { COILGUN_PRIVATE_DELTAS: 'maybe' }]] as const) {
    assert.throws(() => loadListenerConfig({ ...good, ...env }), (err: Error & { code?: string }) => err.code === 'COILGUN_ERR_INVALID_CONFIG' && err.message.startsWith(`${name}: expected `))
  }
  const config = loadListenerConfig(good)
  assert.equal(config.privateTtlMs, 600_000)
  assert.equal(config.privateDeltas, true)
  assert.deepEqual(config.privatePaths, [])
})

test('the status page names public pages by host and path, and private ones only as "(private pages)"', async (t) => {
  const current = { index: 0 }
  const origin = await startOrigin(t, current)
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin, COILGUN_PRIVATE_PATHS: '/profile', COILGUN_ADMIN_LISTEN: '127.0.0.1:0' })
  t.after(() => listener.close())
  const sender = await SenderClient.create(url, SECRET, ['vcdiff'])
  for (current.index = 0; current.index < 2; current.index++) {
    for (const path of ['/me', '/profile', '/news']) await sender.get(path)
  }
  const report = await listener.admin!.inject({ url: '/status.json' })
  const text = report.body
  assert.match(text, /\/news/)
  assert.match(text, /\(private pages\)/)
  assert.doesNotMatch(text, /\/me\b|\/profile/, 'a private page is never named')
})
