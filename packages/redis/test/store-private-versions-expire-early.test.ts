import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { deltaRequestHeaders, loadCodecs, OriginResponder, resolveOriginOptions, sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore, DEFAULT_PRIVATE_TTL_SECONDS, DEFAULT_TTL_SECONDS, redisStoreOptionsFromEnv } from '@coilgun/redis'
import { versionKey } from '../src/redisKeys.ts'
import type { RedisVersionStore, RedisVersionStoreOptions } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'

// Issue 11: one visitor's page is kept briefly in shared Redis too: private versions
// are written with `privateTtlSeconds` (ten minutes by default), public ones with
// `ttlSeconds` (one day), and no instance's in-process cache keeps them longer.

function version (size: number): { id: string, body: Buffer } {
  const body = randomBytes(size)
  return { id: versionId(sha256(body)), body }
}

async function readyStore (url: string, extra: Partial<RedisVersionStoreOptions> = {}): Promise<RedisVersionStore> {
  const store = createRedisVersionStore({ url, logger: capturingLogger(), commandTimeoutMs: 2000, ...extra })
  assert.equal(await store.ready(), true)
  return store
}

test('private versions get the private TTL (ten minutes by default), public ones the normal TTL', skipWithoutRedis(), async (t) => {
  assert.ok(DEFAULT_PRIVATE_TTL_SECONDS <= 600)
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = await readyStore(server.url)
  t.after(() => store.close())
  const mine = version(5000)
  const shared = version(5000)
  await store.putVersion(mine.id, mine.body, { private: true })
  await store.putVersion(shared.id, shared.body)
  const privateTtl = await server.command('TTL', versionKey('coilgun:', mine.id)) as number
  const publicTtl = await server.command('TTL', versionKey('coilgun:', shared.id)) as number
  assert.ok(privateTtl > DEFAULT_PRIVATE_TTL_SECONDS - 5 && privateTtl <= DEFAULT_PRIVATE_TTL_SECONDS, `private TTL ${privateTtl}`)
  assert.ok(publicTtl > DEFAULT_TTL_SECONDS - 5 && publicTtl <= DEFAULT_TTL_SECONDS, `public TTL ${publicTtl}`)
  // The same bytes later answered publicly get the normal lifetime back.
  await store.putVersion(mine.id, mine.body)
  assert.ok(await server.command('TTL', versionKey('coilgun:', mine.id)) as number > DEFAULT_TTL_SECONDS - 5)
})

test('a private version expires from Redis and from every instance\'s cache at the configured lifetime', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const writer = await readyStore(server.url, { privateTtlSeconds: 1 })
  const reader = await readyStore(server.url, { privateTtlSeconds: 1 })
  t.after(() => Promise.all([writer.close(), reader.close()]))
  const mine = version(5000)
  const shared = version(5000)
  await writer.putVersion(mine.id, mine.body, { private: true })
  await writer.putVersion(shared.id, shared.body)
  const pttl = await server.command('PTTL', versionKey('coilgun:', mine.id)) as number
  assert.ok(pttl > 0 && pttl <= 1000, `PTTL ${pttl}`)
  assert.ok(await reader.getVersion(mine.id) !== undefined, 'known to other instances before it expires')
  assert.ok(await reader.getVersion(shared.id) !== undefined)
  await sleep(1300)
  assert.equal(await server.command('EXISTS', versionKey('coilgun:', mine.id)), 0, 'Redis expired it')
  assert.equal(await writer.getVersion(mine.id), undefined, 'the writer\'s cache expired it too')
  assert.equal(await reader.getVersion(mine.id), undefined, 'and the reader\'s')
  const hitsBefore = reader.stats().redisHits
  assert.ok(await writer.getVersion(shared.id) !== undefined, 'the public version keeps its lifetime')
  assert.ok(await reader.getVersion(shared.id) !== undefined)
  assert.equal(reader.stats().redisHits, hitsBefore + 1, 'the reader re-read it from Redis: it kept no copy longer than the private lifetime')
  assert.equal(writer.stats().errors + reader.stats().errors, 0)
})

test('through the origin: a private response is stored with the private TTL and no latest pointer', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const store = await readyStore(server.url, redisStoreOptionsFromEnv({ COILGUN_REDIS_URL: server.url, COILGUN_PRIVATE_TTL_SECONDS: '7' }))
  t.after(() => store.close())
  const secret = 'redis-private-secret-0123456789'
  const responder = new OriginResponder(await resolveOriginOptions({ secret, codecs: ['vcdiff'], encodeWorkers: 0, store }))
  t.after(() => responder.close())
  const codecs = [...(await loadCodecs(['vcdiff'])).values()]
  const page = version(4000)
  const response = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined }
  await responder.answer({ method: 'GET', headers: deltaRequestHeaders(secret, codecs, undefined), resourceKey: 'a.test /me' }, { ...response, headers: { vary: 'Cookie' } }, page.body)
  const other = version(4000)
  await responder.answer({ method: 'GET', headers: deltaRequestHeaders(secret, codecs, undefined), resourceKey: 'a.test /news' }, { ...response, headers: {} }, other.body)
  await sleep(100)
  const ttl = await server.command('TTL', versionKey('coilgun:', page.id)) as number
  assert.ok(ttl > 0 && ttl <= 7, `private TTL ${ttl} from COILGUN_PRIVATE_TTL_SECONDS`)
  assert.ok(await server.command('TTL', versionKey('coilgun:', other.id)) as number > DEFAULT_TTL_SECONDS - 5)
  assert.equal(await store.getLatest('a.test /me'), undefined)
  assert.equal(await store.getLatest('a.test /news'), other.id)
})
