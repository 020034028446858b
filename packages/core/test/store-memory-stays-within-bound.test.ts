import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { ENTRY_OVERHEAD_BYTES, MemoryVersionStore, sha256, versionId } from '@coilgun/core'

// Issue 2: the embedded store is bounded in bytes; inserting far more than the
// capacity keeps the accounted size (bodies, keys, overhead) within the bound.

test('inserting 50x the capacity keeps the accounted size within the bound', async (t) => {
  const maxBytes = 1024 * 1024
  const store = new MemoryVersionStore({ maxBytes })
  t.after(() => store.close())
  let inserted = 0
  for (let i = 0; i < 2000; i++) {
    const body = randomBytes(1000 + (i * 7919) % 60_000)
    const id = versionId(sha256(body))
    await store.putVersion(id, body)
    await store.setLatest(`https://example.test/page/${i % 300}?q=${i}`, id)
    inserted += body.length
    assert.ok(store.stats().size <= maxBytes, `accounted ${store.stats().size} > ${maxBytes} after ${i} inserts`)
  }
  assert.ok(inserted > 50 * maxBytes)
  assert.ok(store.stats().size > maxBytes / 2, 'the store is used, not emptied')
})

test('a version can be read back by id and the latest pointer per resource', async (t) => {
  const store = new MemoryVersionStore({ maxBytes: 1024 * 1024 })
  t.after(() => store.close())
  const v1 = Buffer.from('version one')
  const v2 = Buffer.from('version two')
  await store.putVersion(versionId(sha256(v1)), v1)
  await store.putVersion(versionId(sha256(v2)), v2)
  await store.setLatest('example.test/a', versionId(sha256(v1)))
  await store.setLatest('example.test/a', versionId(sha256(v2)))
  assert.equal(await store.getLatest('example.test/a'), versionId(sha256(v2)))
  assert.deepEqual(Buffer.from((await store.getVersion(versionId(sha256(v1))))!), v1)
  assert.equal(await store.getVersion('00'.repeat(32)), undefined)
  assert.equal(await store.getLatest('example.test/b'), undefined)
  // A pointer key and a version id never collide.
  assert.equal(await store.getVersion('example.test/a'), undefined)
})

test('a view into a larger buffer is stored as its own copy, so accounting is true', async (t) => {
  const store = new MemoryVersionStore({ maxBytes: 64 * 1024 })
  t.after(() => store.close())
  const big = Buffer.alloc(1024 * 1024, 1)
  const view = big.subarray(100, 200)
  await store.putVersion('aa', view)
  const stored = (await store.getVersion('aa'))!
  assert.equal(stored.byteLength, 100)
  assert.equal(stored.buffer.byteLength, 100, 'the 1 MiB parent buffer is not retained')
  assert.equal(store.stats().size, 100 + 'v:aa'.length + ENTRY_OVERHEAD_BYTES)
})

test('a body larger than the capacity is not stored', async (t) => {
  const store = new MemoryVersionStore({ maxBytes: 4096 })
  t.after(() => store.close())
  await store.putVersion('big', Buffer.alloc(8192))
  assert.equal(await store.getVersion('big'), undefined)
  assert.ok(store.stats().size <= 4096)
})

test('entries expire after the TTL', async (t) => {
  const store = new MemoryVersionStore({ maxBytes: 4096, ttlMs: 30 })
  t.after(() => store.close())
  await store.putVersion('x', Buffer.from('body'))
  assert.ok(await store.getVersion('x'))
  await new Promise(resolve => setTimeout(resolve, 80))
  assert.equal(await store.getVersion('x'), undefined)
})

test('invalid options are refused with a coded error naming the option', () => {
  assert.throws(() => new MemoryVersionStore({ maxBytes: -1 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /maxBytes/ })
  assert.throws(() => new MemoryVersionStore({ ttlMs: 1.5 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /ttlMs/ })
})
