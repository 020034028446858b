import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { buildApp } from '../packages/fastify/test/app.ts'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore, RedisVersionStoreOptions } from '@coilgun/redis'
import { capturingLogger } from '../packages/redis/test/capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { startRoundRobin } from '@coilgun/fixtures/roundRobinProxy'
import type { AppState } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SenderClient } from './support/senderClient.ts'

// Issue 6: a base that expired (TTL) or was evicted from Redis, or was never stored
// (larger than maxVersionBytes), is unknown to the other instance: its answer is a
// full response, still byte-identical, and deltas resume with the next version.

const page = versionedPages(8)[0]!

async function twoInstances (t: TestContext, options: Partial<RedisVersionStoreOptions>): Promise<{ server: RedisServer, sender: SenderClient, state: AppState, stores: RedisVersionStore[] }> {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  // Generous timeouts: these tests are about what Redis holds, not about how long
  // a loaded machine takes to read it (the outage tests cover the bounds).
  const stores = [0, 1].map(() => createRedisVersionStore({ url: server.url, logger: capturingLogger(), commandTimeoutMs: 2000, ...options }))
  t.after(() => Promise.all(stores.map(s => s.close())))
  assert.ok((await Promise.all(stores.map(s => s.ready()))).every(Boolean))
  const state: AppState = { current: new Map() }
  const apps = await Promise.all(stores.map(store => buildApp([page], state, { options: { store, storeTimeoutMs: 2000 } })))
  t.after(() => Promise.all(apps.map(app => app.close())))
  const urls = await Promise.all(apps.map(app => app.listen({ port: 0, host: '127.0.0.1' })))
  const balancer = await startRoundRobin(urls)
  t.after(balancer.close)
  return { server, sender: await SenderClient.create(balancer.url, SECRET, ['vcdiff']), state, stores }
}

async function fetchVersion (sender: SenderClient, state: AppState, index: number): Promise<string> {
  state.current.set(page.name, index)
  const res = await sender.get(`/page/${page.name}`)
  assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[index]!), `v${index + 1} differs`)
  return res.rebuilt.kind
}

test('a base expired from Redis gets a full answer, then deltas resume', skipWithoutRedis(), async (t) => {
  const { sender, state } = await twoInstances(t, { ttlSeconds: 2 })
  assert.equal(await fetchVersion(sender, state, 0), 'full')
  assert.equal(await fetchVersion(sender, state, 1), 'delta', 'base fresh in Redis')
  await sleep(2300)
  assert.equal(await fetchVersion(sender, state, 2), 'full', 'base expired: full')
  assert.equal(await fetchVersion(sender, state, 3), 'delta', 'the next base is fresh again')
})

test('a base evicted from Redis gets a full answer, then deltas resume', skipWithoutRedis(), async (t) => {
  const { server, sender, state, stores } = await twoInstances(t, {})
  assert.equal(await fetchVersion(sender, state, 0), 'full')
  assert.equal(await fetchVersion(sender, state, 1), 'delta')
  // What maxmemory eviction does to our keys, without waiting for memory pressure.
  await server.command('FLUSHALL')
  assert.equal(await fetchVersion(sender, state, 2), 'full', 'base evicted: full')
  assert.equal(await fetchVersion(sender, state, 3), 'delta')
  assert.equal(await fetchVersion(sender, state, 4), 'delta')
  assert.ok(stores.some(s => s.stats().misses > 0), 'the evicted base was a Redis miss')
})

test('a page larger than maxVersionBytes is never a base: every answer is full', skipWithoutRedis(), async (t) => {
  const { sender, state, stores } = await twoInstances(t, { maxVersionBytes: Math.min(...page.versions.map(v => v.length)) - 1 })
  for (let i = 0; i < 4; i++) assert.equal(await fetchVersion(sender, state, i), 'full')
  assert.ok(stores.every(s => s.stats().oversize > 0))
})
