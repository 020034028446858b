import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { DEFAULT_PRIVATE_TTL_MS, deltaRequestHeaders, loadCodecs, MemoryVersionStore, OriginResponder, rebuildFromAnswer, resolveOriginOptions, sha256, versionId } from '@coilgun/core'
import type { HeldVersion, OriginResponseInfo } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 11: the origin side keeps one visitor's page briefly. Private versions live
// `privateTtlMs` (ten minutes by default) in the embedded store, public ones the
// store's normal lifetime; a private page is never the resource's latest pointer.

const SECRET = 'private-ttl-secret-0123456789'
const codecs = await loadCodecs(['vcdiff'])
const held = (body: Buffer): HeldVersion => ({ body, hash: sha256(body) })

test('the default private lifetime is at most ten minutes', () => {
  assert.ok(DEFAULT_PRIVATE_TTL_MS <= 10 * 60 * 1000)
})

test('embedded store: a private version expires at the private lifetime, a public one stays', async () => {
  const store = new MemoryVersionStore({ privateTtlMs: 300 })
  const [mine, shared] = syntheticVersions(2, 5000) as [Buffer, Buffer]
  await store.putVersion('mine', mine, { private: true })
  await store.putVersion('shared', shared)
  assert.ok(await store.getVersion('mine') !== undefined)
  await sleep(450)
  assert.equal(await store.getVersion('mine'), undefined, 'the private version expired')
  assert.ok(await store.getVersion('shared') !== undefined, 'the public one keeps the normal lifetime')
  await store.close()
})

test('origin: private pages are stored for privateTtlMs only, public ones keep their bases', async () => {
  // Long enough for two full answers and a delta on a loaded machine (about 20 ms idle).
  const privateTtlMs = 1500
  const store = new MemoryVersionStore({ privateTtlMs })
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], encodeWorkers: 0, store }))
  try {
    const privateResponse: OriginResponseInfo = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined, headers: { 'cache-control': 'private', 'content-type': 'text/html' } }
    const publicResponse: OriginResponseInfo = { ...privateResponse, headers: { 'cache-control': 'public, max-age=0', 'content-type': 'text/html' } }
    const [p1, p2, p3] = syntheticVersions(3, 20_000) as [Buffer, Buffer, Buffer]
    const [s1, s2, s3] = syntheticVersions(3, 21_000) as [Buffer, Buffer, Buffer]
    async function ask (key: string, response: OriginResponseInfo, body: Buffer, base: HeldVersion | undefined): Promise<string> {
      const answer = await responder.answer({ method: 'GET', headers: deltaRequestHeaders(SECRET, [...codecs.values()], base), resourceKey: `a.test ${key}`, path: key }, response, body)
      const rebuilt = rebuildFromAnswer({ status: answer.status, headers: answer.headers, body: answer.body ?? new Uint8Array() }, base, codecs, 1e8)
      assert.ok(Buffer.from(rebuilt.body).equals(body))
      return answer.kind
    }
    assert.equal(await ask('/account', privateResponse, p1, undefined), 'full')
    assert.equal(await ask('/news', publicResponse, s1, undefined), 'full')
    await sleep(20)
    assert.equal(await ask('/account', privateResponse, p2, held(p1)), 'delta', 'a private page gets deltas within its lifetime')
    assert.equal(await store.getLatest('a.test /account'), undefined, 'a private page is never the latest pointer')
    assert.equal(await store.getLatest('a.test /news'), versionId(sha256(s1)))
    await sleep(privateTtlMs + 150)
    assert.equal(await store.getVersion(versionId(sha256(p2))), undefined, 'the private version left the store')
    assert.equal(await ask('/account', privateResponse, p3, held(p2)), 'full', 'its base expired: full answer')
    assert.equal(await ask('/news', publicResponse, s2, held(s1)), 'delta', 'the public base is still there')
    assert.equal(await ask('/news', publicResponse, s3, held(s2)), 'delta')
  } finally {
    await responder.close()
  }
})

test('origin: with privateDeltas off a private page is answered in full and not stored', async () => {
  const store = new MemoryVersionStore()
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], encodeWorkers: 0, store, privateDeltas: false }))
  try {
    const response: OriginResponseInfo = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined, headers: { 'set-cookie': 'sid=1' } }
    const [v1, v2] = syntheticVersions(2, 20_000) as [Buffer, Buffer]
    const first = await responder.answer({ method: 'GET', headers: deltaRequestHeaders(SECRET, [...codecs.values()], undefined), resourceKey: 'a.test /me' }, response, v1)
    await sleep(10)
    assert.equal(store.stats().entries, 0, 'nothing stored')
    const second = await responder.answer({ method: 'GET', headers: deltaRequestHeaders(SECRET, [...codecs.values()], held(v1)), resourceKey: 'a.test /me' }, response, v2)
    assert.deepEqual([first.kind, second.kind], ['full', 'full'])
  } finally {
    await responder.close()
  }
})

test('origin option privateTtlMs sets the embedded store\'s private lifetime', async () => {
  const options = await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], encodeWorkers: 0, privateTtlMs: 200 })
  const [v] = syntheticVersions(1, 5000) as [Buffer]
  await options.store.putVersion('v', v, { private: true })
  await options.store.putVersion('w', v)
  await sleep(350)
  assert.equal(await options.store.getVersion('v'), undefined)
  assert.ok(await options.store.getVersion('w') !== undefined)
  await options.store.close()
})
