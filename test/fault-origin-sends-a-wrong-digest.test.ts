import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatReprDigest, formatStrongETag } from '@coilgun/core'
import { hashOf, isDelta, outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'

// Issue 8: an origin whose Repr-Digest (or ETag) does not describe what it sent: a
// delta announcing another version's digest, a full page with a wrong digest, an
// ETag and a digest naming different versions, a 304 for a version the sender does
// not hold. Never served, never stored; refetched in full or an honest 502.

const pages = versionedPages(5)
const page = pages[0]!
const path = `/page/${page.name}`
const other = pages[0]!.versions[4]!

test('a delta with the digest of another version is refetched in full', async (t) => {
  const pair = await startFaultPair(t, pages)
  pair.proxy.tamper = (_req, real) => send(isDelta(real) ? { ...real, headers: { ...real.headers, 'repr-digest': formatReprDigest(hashOf(other)), etag: formatStrongETag(hashOf(other)) } } : real)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  const res = await rawGet(pair.url + path)
  assert.ok(res.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(res), 'fallback')
  assert.equal(whyOf(res), 'COILGUN_ERR_VERIFY_FAILED')
  assert.ok(pair.held(path)?.equals(hashOf(page.versions[1]!)))
})

test('ETag and Repr-Digest naming different versions: refused', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.proxy.tamper = (req, real) => send(req.index === 1 ? { ...real, headers: { ...real.headers, etag: formatStrongETag(hashOf(other)) } } : real)
  pair.state.current.set(page.name, 1)
  const res = await rawGet(pair.url + path)
  assert.ok(res.body.equals(page.versions[1]!))
  assert.equal(whyOf(res), 'COILGUN_ERR_VERIFY_FAILED')
})

test('a 304 naming a version the sender does not hold is refused', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  pair.proxy.tamper = (req, real) => req.index === 1
    ? send({ status: 304, headers: { etag: formatStrongETag(hashOf(other)), 'repr-digest': formatReprDigest(hashOf(other)), 'coilgun-origin': 'not-modified' }, body: Buffer.alloc(0) })
    : send(real)
  const res = await rawGet(pair.url + path)
  assert.ok(res.body.equals(page.versions[1]!), 'the held version 1 is not served as if it were current')
  assert.equal(outcomeOf(res), 'fallback')
  assert.equal(whyOf(res), 'COILGUN_ERR_VERIFY_FAILED')
})

test('a wrong digest on every answer: 502, nothing stored; a sound origin is trusted again at once', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  pair.proxy.tamper = (_req, real) => send({ ...real, headers: { ...real.headers, 'repr-digest': formatReprDigest(hashOf(other)), etag: formatStrongETag(hashOf(other)) } })
  for (let i = 0; i < 2; i++) {
    const res = await rawGet(pair.url + path)
    assert.equal(res.status, 502)
    assert.ok(!res.body.equals(page.versions[1]!))
    assert.equal(pair.held(path), undefined, 'an answer that failed verification is never stored')
  }
  const failures = await pair.sender.metrics.registry.getSingleMetricAsString('coilgun_verification_failures_total')
  assert.match(failures, /reason="COILGUN_ERR_VERIFY_FAILED"\} [1-9]/)
  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[1]!))
  pair.state.current.set(page.name, 2)
  const next = await rawGet(pair.url + path)
  assert.ok(next.body.equals(page.versions[2]!))
  assert.equal(outcomeOf(next), 'delta')
})

test('a Coilgun digest on a 500 is refused with its own code, not a borrowed one (issue 14)', async (t) => {
  const pair = await startFaultPair(t, pages)
  pair.proxy.tamper = (req, real) => send(req.index === 0 ? { ...real, status: 500 } : real)
  const res = await rawGet(pair.url + path)
  assert.ok(res.body.equals(page.versions[0]!), 'the full page refetched once is served')
  assert.equal(outcomeOf(res), 'fallback')
  assert.equal(whyOf(res), 'COILGUN_ERR_ANSWER_STATUS')
})
