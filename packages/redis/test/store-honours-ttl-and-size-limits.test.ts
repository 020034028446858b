import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore, DEFAULT_TTL_SECONDS } from '@coilgun/redis'
import { latestKey, versionKey } from '../src/redisKeys.ts'
import type { RedisVersionStore, RedisVersionStoreOptions } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'

// Issue 6: versions and pointers carry a TTL (a default of one day, configurable),
// bodies over maxVersionBytes are not stored anywhere, and what Redis expired or
// evicted is unknown to every instance.

function version (size: number): { id: string, body: Buffer } {
  const body = randomBytes(size)
  return { id: versionId(sha256(body)), body }
}

async function readyStore (url: string, extra: Partial<RedisVersionStoreOptions> = {}): Promise<RedisVersionStore> {
  // A generous timeout: these tests are about what Redis keeps, not about speed.
  const store = createRedisVersionStore({ url, logger: capturingLogger(), commandTimeoutMs: 2000, ...extra })
  assert.equal(await store.ready(), true)
  return store
}

test('versions and pointers are written with the default TTL of one day', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = await readyStore(server.url)
  t.after(() => store.close())
  const v = version(5000)
  await store.putVersion(v.id, v.body)
  await store.setLatest('example.com/', v.id)
  for (const key of [versionKey('coilgun:', v.id), latestKey('coilgun:', 'example.com/')]) {
    const ttl = await server.command('TTL', key) as number
    assert.ok(ttl > DEFAULT_TTL_SECONDS - 5 && ttl <= DEFAULT_TTL_SECONDS, `${key}: TTL ${ttl}`)
  }
})

test('an expired version is unknown to every store, the writer included', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const writer = await readyStore(server.url, { ttlSeconds: 1 })
  const reader = await readyStore(server.url, { ttlSeconds: 1 })
  t.after(() => Promise.all([writer.close(), reader.close()]))
  const v = version(5000)
  await writer.putVersion(v.id, v.body)
  await writer.setLatest('example.com/', v.id)
  const pttl = await server.command('PTTL', versionKey('coilgun:', v.id)) as number
  assert.ok(pttl > 0 && pttl <= 1000, `PTTL ${pttl}`)
  assert.ok(await reader.getVersion(v.id) !== undefined, 'known before it expires')
  await sleep(1300)
  assert.equal(await server.command('EXISTS', versionKey('coilgun:', v.id)), 0, 'Redis expired it')
  assert.equal(await writer.getVersion(v.id), undefined, 'the writer\'s cache expired it too')
  assert.equal(await reader.getVersion(v.id), undefined, 'and the reader\'s')
  assert.equal(await reader.getLatest('example.com/'), undefined, 'the pointer expired')
  assert.equal(writer.stats().errors + reader.stats().errors, 0)
})

test('a version larger than maxVersionBytes is stored nowhere', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = await readyStore(server.url, { maxVersionBytes: 10_000 })
  t.after(() => store.close())
  const small = version(10_000)
  const big = version(10_001)
  await store.putVersion(small.id, small.body)
  await store.putVersion(big.id, big.body)
  assert.equal(await server.command('EXISTS', versionKey('coilgun:', small.id)), 1, 'at the limit: stored')
  assert.equal(await server.command('EXISTS', versionKey('coilgun:', big.id)), 0, 'over the limit: not in Redis')
  assert.equal(await store.getVersion(big.id), undefined, 'nor in the in-process cache')
  assert.equal(store.stats().oversize, 1)
})

test('versions evicted by Redis under maxmemory are misses, without errors', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start({ args: ['--maxmemory', '3mb', '--maxmemory-policy', 'allkeys-lru'] })
  t.after(() => server.stop())
  const writer = await readyStore(server.url)
  const reader = await readyStore(server.url, { lruMaxBytes: 0 })
  t.after(() => Promise.all([writer.close(), reader.close()]))
  const versions = Array.from({ length: 40 }, () => version(200_000))
  for (const v of versions) await writer.putVersion(v.id, v.body)
  assert.equal(writer.stats().errors, 0, 'eviction never refuses a write')
  const known = await Promise.all(versions.map(async v => (await reader.getVersion(v.id)) !== undefined))
  assert.ok(known.filter(k => !k).length >= 20, `8 MB into 3 MB: most versions were evicted (${known.filter(k => k).length} of 40 left)`)
  // Which ones survive is Redis' choice (approximated LRU, one-second clock), not ours.
  assert.ok(known.some(k => k), 'Redis still holds the versions that fit')
  assert.equal(reader.stats().misses, known.filter(k => !k).length)
  assert.equal(reader.stats().errors, 0)
})

test('a Redis that refuses writes (maxmemory, noeviction) keeps answering reads', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start({ args: ['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction'] })
  t.after(() => server.stop())
  const logger = capturingLogger()
  const store = await readyStore(server.url, { logger, lruMaxBytes: 0 })
  t.after(() => store.close())
  const first = version(100_000)
  await store.putVersion(first.id, first.body)
  for (let i = 0; i < 40; i++) {
    const v = version(100_000)
    await store.putVersion(v.id, v.body)
  }
  assert.ok(store.stats().errors > 0, 'Redis answered OOM')
  assert.equal(logger.count(/refused a command/), 1, 'logged once')
  assert.ok(await store.getVersion(first.id) !== undefined, 'reads still work')
  assert.equal(store.stats().healthy, true, 'a refusal is not an outage')
})
