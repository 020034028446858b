import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { hashOf, outcomeOf, startFaultPair } from './support/faultPair.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'

// Issue 8: an origin that sends its answer a few bytes at a time. undici's
// bodyTimeout only bounds the gap between two chunks, so before this issue an origin
// trickling a byte now and then held the visitor forever. COILGUN_UPSTREAM_TIMEOUT_MS
// now bounds the whole answer: a slow but finishing answer is served, an endless one
// is a 504, the sender stops reading it, stores nothing and keeps serving others.
// Behind a listener, the listener hangs up on the trickling origin too (its own
// COILGUN_ORIGIN_TIMEOUT_MS, and the sender leaving), instead of holding an origin
// connection for as long as the origin trickles.

const pages = versionedPages(4)
const page = pages[0]!
const path = `/page/${page.name}`

test('a slow answer that finishes is served and stored', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  pair.proxy.tamper = (_req, real) => ({ kind: 'trickle', reply: real, chunkBytes: Math.max(1, real.body.length >> 3), everyMs: 5, forever: false })
  const res = await rawGet(pair.url + path)
  assert.equal(res.status, 200)
  assert.ok(res.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(res), 'delta')
  assert.ok(pair.held(path)?.equals(hashOf(page.versions[1]!)))
})

test('an endless trickle: 504, the sender hangs up on it, others are served meanwhile', { timeout: 60_000 }, async (t) => {
  const pair = await startFaultPair(t, pages, { COILGUN_UPSTREAM_TIMEOUT_MS: '1500' })
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  // Each chunk comes well within the per-chunk timeout; the body never ends.
  pair.proxy.tamper = (req, real) => req.url === path ? { kind: 'trickle', reply: real, chunkBytes: 1, everyMs: 20, forever: true } : send(real)
  const slow = rawGet(pair.url + path)
  const meanwhile = await rawGet(`${pair.url}/page/${page.name}?another-url`)
  assert.equal(meanwhile.status, 200, 'another visitor is served while the trickle goes on')
  const res = await slow
  assert.equal(res.status, 504)
  assert.match(res.body.toString(), /Gateway Timeout/)
  await waitFor('the sender to hang up on the trickling answer', () => pair.proxy.abandoned() === 1)
  assert.ok(pair.held(path)?.equals(hashOf(page.versions[0]!)), 'nothing of the trickle was stored')
  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(back), 'delta')
})

test('an endless trickle behind a listener: 504 for the visitor, and the listener hangs up on the origin', { timeout: 60_000 }, async (t) => {
  let hungUp = 0
  const origin = createServer((_req, res) => {
    // Small enough to be buffered and delta-encoded: the listener reads it whole.
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': 1_000_000 })
    const trickle = setInterval(() => res.write('<p>'), 20)
    res.once('close', () => { clearInterval(trickle); if (!res.writableFinished) hungUp++ })
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  t.after(() => { origin.closeAllConnections(); origin.close() })
  for (const [name, listenerTimeout, senderTimeout] of [['the listener\'s deadline', '800', '60000'], ['the sender leaving', '60000', '800']] as const) {
    const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, COILGUN_ORIGIN_TIMEOUT_MS: listenerTimeout })
    t.after(() => listener.close())
    const { sender, url } = await startSender(listenerUrl, { COILGUN_UPSTREAM_TIMEOUT_MS: senderTimeout })
    t.after(() => sender.close())
    const before = hungUp
    const res = await rawGet(`${url}/page`)
    assert.equal(res.status, 504, name)
    await waitFor(`the origin to be hung up on (${name})`, () => hungUp === before + 1)
  }
})

test('a slow streamed passthrough (a download) is not cut by either deadline', { timeout: 60_000 }, async (t) => {
  const chunk = Buffer.alloc(16 * 1024, 7)
  const origin = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': 30 * chunk.length })
    let sent = 0
    const slowly = setInterval(() => {
      res.write(chunk)
      if (++sent === 30) { clearInterval(slowly); res.end() }
    }, 50)
    res.once('close', () => clearInterval(slowly))
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  t.after(() => { origin.closeAllConnections(); origin.close() })
  // Both deadlines are far shorter than the download; each gap between chunks is shorter still.
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, COILGUN_ORIGIN_TIMEOUT_MS: '400' })
  t.after(() => listener.close())
  const { sender, url } = await startSender(listenerUrl, { COILGUN_UPSTREAM_TIMEOUT_MS: '400' })
  t.after(() => sender.close())
  const res = await rawGet(`${url}/download.png`)
  assert.equal(res.status, 200)
  assert.equal(res.body.length, 30 * chunk.length)
  assert.match(String(res.headers.coilgun), /^passthrough/)
})
