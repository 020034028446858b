import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { versionId, sha256 } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import { latestKey, versionKey } from '../src/redisKeys.ts'
import type { RedisVersionStore } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'

// Issue 6: what one instance stores, another one (its own process, its own
// in-process cache) reads back byte for byte, through keys under the prefix.

function version (size = 20_000): { id: string, body: Buffer } {
  const body = randomBytes(size)
  return { id: versionId(sha256(body)), body }
}

async function readyStore (url: string, extra: Parameters<typeof createRedisVersionStore>[0] = {}): Promise<RedisVersionStore> {
  // A generous timeout: these tests are about what is shared, not about speed.
  const store = createRedisVersionStore({ url, logger: capturingLogger(), commandTimeoutMs: 2000, ...extra })
  assert.equal(await store.ready(), true, 'connected to the test redis-server')
  return store
}

test('a version and a pointer written by one store are read by another', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const a = await readyStore(server.url)
  const b = await readyStore(server.url)
  t.after(() => Promise.all([a.close(), b.close()]))
  const v = version()
  await a.putVersion(v.id, v.body)
  await a.setLatest('example.com/page?x={y}', v.id)

  const read = await b.getVersion(v.id)
  assert.ok(read !== undefined && Buffer.from(read).equals(v.body), 'same bytes from the other store')
  assert.equal(await b.getLatest('example.com/page?x={y}'), v.id)
  assert.equal(await b.getLatest('example.com/other'), undefined)
  assert.equal(await b.getVersion(version().id), undefined, 'an unknown version is undefined')
  assert.deepEqual({ redisHits: b.stats().redisHits, misses: b.stats().misses, errors: b.stats().errors }, { redisHits: 1, misses: 1, errors: 0 })

  const keys = (await server.command('KEYS', '*') as string[]).sort()
  assert.deepEqual(keys, [latestKey('coilgun:', 'example.com/page?x={y}'), versionKey('coilgun:', v.id)].sort())
  assert.ok(keys.every(k => k.startsWith('coilgun:') && !k.includes('{')), 'prefixed keys, no accidental hash tag')
})

test('stores with another prefix do not see each other', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const a = await readyStore(server.url, { prefix: 'site-a:' })
  const b = await readyStore(server.url, { prefix: 'site-b:' })
  t.after(() => Promise.all([a.close(), b.close()]))
  const v = version()
  await a.putVersion(v.id, v.body)
  assert.equal(await b.getVersion(v.id), undefined)
  assert.equal(await server.command('EXISTS', `site-a:v:${v.id}`), 1)
})

test('the in-process cache answers repeated reads without Redis', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const a = await readyStore(server.url)
  const b = await readyStore(server.url)
  t.after(() => Promise.all([a.close(), b.close()]))
  const v = version()
  await a.putVersion(v.id, v.body)
  // Concurrent requests against one base share a single GET.
  const reads = await Promise.all(Array.from({ length: 10 }, () => b.getVersion(v.id)))
  assert.ok(reads.every(r => r !== undefined && Buffer.from(r).equals(v.body)))
  assert.equal(b.stats().redisHits, 1, 'one GET for ten concurrent reads')
  await server.command('FLUSHALL')
  const again = await b.getVersion(v.id)
  assert.ok(again !== undefined && Buffer.from(again).equals(v.body), 'served from the cache, Redis is empty')
  assert.equal(b.stats().lruHits, 1)
  assert.equal(b.stats().redisHits, 1)
})

test('a version is written once however often it is served', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const a = await readyStore(server.url)
  t.after(() => a.close())
  const v = version()
  for (let i = 0; i < 20; i++) {
    await a.putVersion(v.id, v.body)
    await a.setLatest('example.com/', v.id)
  }
  assert.equal(a.stats().writes, 2, 'one SET for the version, one for the pointer')
  const next = version()
  await a.setLatest('example.com/', next.id)
  assert.equal(a.stats().writes, 3, 'a new pointer value is written')
})

test('a value that is not the version its key names is a miss', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const a = await readyStore(server.url)
  t.after(() => a.close())
  const v = version()
  await server.command('SET', versionKey('coilgun:', v.id), 'not the version')
  assert.equal(await a.getVersion(v.id), undefined)
  assert.equal(a.stats().corrupt, 1)
})
