import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'

// Issue 6: the in-process cache in front of Redis never holds more than lruMaxBytes
// (bodies, keys and per-entry overhead), and never keeps a larger buffer alive
// behind a small view.

test('the in-process cache never exceeds lruMaxBytes', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const maxBytes = 1024 * 1024
  const writer = createRedisVersionStore({ url: server.url, logger: capturingLogger(), commandTimeoutMs: 2000, lruMaxBytes: maxBytes })
  const reader = createRedisVersionStore({ url: server.url, logger: capturingLogger(), commandTimeoutMs: 2000, lruMaxBytes: maxBytes })
  t.after(() => Promise.all([writer.close(), reader.close()]))
  assert.ok(await writer.ready() && await reader.ready())
  // One big allocation, handed out as views the way Node's pooled buffers are.
  const slab = randomBytes(8 * 1024 * 1024)
  const ids: string[] = []
  for (let i = 0, at = 0; i < 300; i++) {
    const size = 1 + ((i * 7919) % 64_000)
    const body = slab.subarray(at, at + size)
    at = (at + size) % (slab.length - 64_000)
    const id = versionId(sha256(body))
    ids.push(id)
    await writer.putVersion(id, body)
    await reader.getVersion(ids[(i * 31) % ids.length]!)
    for (const store of [writer, reader]) {
      const s = store.stats()
      assert.ok(s.size <= s.maxSize, `${s.size} > ${s.maxSize} after ${i + 1} versions`)
    }
  }
  for (const store of [writer, reader]) {
    const s = store.stats()
    assert.equal(s.maxSize, maxBytes)
    assert.ok(s.size > maxBytes / 2, `the cache is used (${s.size} bytes)`)
    assert.ok(s.entries > 10)
  }
  const last = await writer.getVersion(ids.at(-1)!)
  assert.ok(last !== undefined)
  assert.equal(last.buffer.byteLength, last.byteLength, 'a cached view was copied: the 8 MB slab is not kept alive')
})

test('a version larger than the whole cache is not cached but still stored in Redis', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = createRedisVersionStore({ url: server.url, logger: capturingLogger(), commandTimeoutMs: 2000, lruMaxBytes: 64 * 1024 })
  t.after(() => store.close())
  assert.ok(await store.ready())
  const body = randomBytes(100_000)
  const id = versionId(sha256(body))
  await store.putVersion(id, body)
  assert.equal(store.stats().size, 0)
  const read = await store.getVersion(id)
  assert.ok(read !== undefined && Buffer.from(read).equals(body), 'read from Redis')
  assert.equal(store.stats().redisHits, 1)
})

test('lruMaxBytes 0 disables the cache: every read goes to Redis', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = createRedisVersionStore({ url: server.url, logger: capturingLogger(), commandTimeoutMs: 2000, lruMaxBytes: 0 })
  t.after(() => store.close())
  assert.ok(await store.ready())
  const body = randomBytes(10_000)
  const id = versionId(sha256(body))
  await store.putVersion(id, body)
  for (let i = 0; i < 3; i++) await store.getVersion(id)
  assert.deepEqual({ lruHits: store.stats().lruHits, redisHits: store.stats().redisHits, size: store.stats().size }, { lruHits: 0, redisHits: 3, size: 0 })
})
