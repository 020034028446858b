import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { hashOf, isDelta, outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'

// Issue 8: an origin that answers garbage: bytes that are not HTTP, Coilgun answers
// whose bodies are random, protocol headers that are junk. The visitor gets the
// right page (refetched in full) or an honest 502; the sender never stores what it
// could not verify; once the origin is sound again, deltas resume by themselves.

const pages = versionedPages(5)
const page = pages[0]!
const path = `/page/${page.name}`

test('bytes that are not HTTP: 502, the held version is kept, deltas resume', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  for (const bytes of [randomBytes(700), Buffer.from('HTTP/1.1 2OO OK\r\nContent-Length: x\r\n\r\n'), Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')]) {
    pair.proxy.tamper = () => ({ kind: 'raw', bytes, then: 'close' })
    const res = await rawGet(pair.url + path)
    assert.equal(res.status, 502)
    assert.match(res.body.toString(), /Bad Gateway/)
    assert.ok(pair.held(path)?.equals(hashOf(page.versions[0]!)), 'the last verified version is still held')
  }
  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(back), 'delta')
})

test('a delta body of random bytes is refetched in full: the visitor gets the right page', async (t) => {
  const pair = await startFaultPair(t, pages)
  pair.proxy.tamper = (_req, real) => send(isDelta(real) ? { ...real, body: randomBytes(real.body.length) } : real)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  for (let i = 1; i < 3; i++) {
    pair.state.current.set(page.name, i)
    const res = await rawGet(pair.url + path)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1} differs`)
    assert.equal(outcomeOf(res), 'fallback')
    assert.match(whyOf(res) ?? '', /^COILGUN_ERR_(DELTA_CORRUPT|VERIFY_FAILED)$/)
    assert.ok(pair.held(path)?.equals(hashOf(page.versions[i]!)))
  }
  pair.proxy.tamper = (_req, real) => send(real)
  pair.state.current.set(page.name, 3)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[3]!))
  assert.equal(outcomeOf(back), 'delta')
})

test('garbage in every answer, full ones too: 502, nothing unverified stored, recovery without a restart', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  const junk = [
    (real: { body: Buffer }) => ({ body: randomBytes(real.body.length) }),
    () => ({ body: Buffer.from('<html>not the page</html>') }),
    () => ({ headers: { 'repr-digest': 'sha-256=:not base64!:', 'content-type': 'text/html' } }),
    () => ({ headers: { 'repr-digest': 'md5=:AAAA:', 'content-type': 'text/html', etag: '"cg-junk"' } })
  ]
  for (const edit of junk) {
    pair.proxy.tamper = (_req, real) => {
      const e = edit(real) as { body?: Buffer, headers?: Record<string, string> }
      return send({ status: real.status, headers: { ...real.headers, ...e.headers }, body: e.body ?? real.body })
    }
    const res = await rawGet(pair.url + path)
    assert.equal(res.status, 502, 'the visitor never gets bytes that failed verification')
    assert.match(res.body.toString(), /failed verification/)
    assert.equal(res.headers['cache-control'], 'no-store')
    // The base is dropped on the first failure; the unverified answers are never stored.
    assert.equal(pair.held(path), undefined)
  }
  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(back), 'full')
  pair.state.current.set(page.name, 2)
  const next = await rawGet(pair.url + path)
  assert.ok(next.body.equals(page.versions[2]!))
  assert.equal(outcomeOf(next), 'delta')
})
