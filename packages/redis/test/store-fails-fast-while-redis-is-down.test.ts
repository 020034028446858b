import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import { FAILURES_BEFORE_UNHEALTHY } from '../src/redisHealth.ts'
import type { RedisVersionStore } from '@coilgun/redis'
import { BACK, capturingLogger, UNAVAILABLE } from './capturingLogger.ts'
import { freePort, RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { timed, waitFor } from '@coilgun/fixtures/waitFor'

// Issue 6: Redis down, killed or hung never makes a caller wait beyond a small
// bound (bounds here are generous multiples of the 50 ms command timeout: the
// machine may be busy), nothing rejects, each outage is logged once, and the
// store resumes on its own when Redis is back.

const BOUND_MS = 1000

function version (): { id: string, body: Buffer } {
  const body = randomBytes(30_000)
  return { id: versionId(sha256(body)), body }
}

/** Every operation of the store, timed; none may reject. */
async function everyOperation (store: RedisVersionStore): Promise<{ maxMs: number, read: Uint8Array | undefined }> {
  const v = version()
  let maxMs = 0
  let read: Uint8Array | undefined
  const operations: Array<() => Promise<unknown>> = [
    () => store.putVersion(v.id, v.body),
    () => store.setLatest('example.com/', v.id),
    () => store.getLatest('example.com/'),
    async () => { read = await store.getVersion(version().id) }
  ]
  for (const op of operations) {
    const { ms } = await timed(op)
    maxMs = Math.max(maxMs, ms)
  }
  return { maxMs, read }
}

test('with nothing listening, every operation resolves at once and the outage is logged once', async (t) => {
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: `redis://127.0.0.1:${await freePort()}`, logger })
  t.after(() => store.close())
  for (let i = 0; i < 5; i++) {
    const { maxMs, read } = await everyOperation(store)
    assert.ok(maxMs < BOUND_MS, `took ${maxMs} ms`)
    assert.equal(read, undefined)
    await sleep(100)
  }
  assert.equal(store.stats().healthy, false)
  assert.ok(store.stats().skipped > 0)
  assert.equal(logger.count(UNAVAILABLE), 1, 'one line for the whole episode, not one per attempt')
  assert.equal(store.stats().outages, 1)
})

test('Redis killed: operations stay fast, one log line; restarted: the store resumes by itself', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: server.url, logger, lruMaxBytes: 0 })
  t.after(() => store.close())
  assert.ok(await store.ready())
  const before = version()
  await store.putVersion(before.id, before.body)
  assert.ok(await store.getVersion(before.id) !== undefined)

  await server.kill()
  for (let i = 0; i < 10; i++) {
    const { maxMs, read } = await everyOperation(store)
    assert.ok(maxMs < BOUND_MS, `took ${maxMs} ms with Redis killed`)
    assert.equal(read, undefined)
    const { ms, value } = await timed(() => store.getVersion(before.id))
    assert.ok(ms < BOUND_MS)
    assert.equal(value, undefined, 'a base in a dead Redis is unknown')
    await sleep(50)
  }
  assert.equal(store.stats().healthy, false)
  assert.equal(logger.count(UNAVAILABLE), 1)

  await server.restart()
  await waitFor('the store to reconnect', () => store.stats().healthy)
  assert.equal(logger.count(BACK), 1)
  const after = version()
  await store.putVersion(after.id, after.body)
  const read = await store.getVersion(after.id)
  assert.ok(read !== undefined && Buffer.from(read).equals(after.body), 'writes and reads work again')
  assert.equal(store.stats().outages, 1)
})

test('Redis hung (SIGSTOP): reads give up after the timeout, then cost nothing; thawed: the store resumes', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: server.url, logger, lruMaxBytes: 0, commandTimeoutMs: 50 })
  t.after(() => store.close())
  assert.ok(await store.ready())
  const v = version()
  await store.putVersion(v.id, v.body)

  server.pause()
  t.after(() => server.resume())
  for (let i = 0; i < FAILURES_BEFORE_UNHEALTHY; i++) {
    const { ms, value } = await timed(() => store.getVersion(v.id))
    assert.equal(value, undefined)
    assert.ok(ms >= 40 && ms < BOUND_MS, `a read against a hung Redis waits about the timeout (${ms} ms)`)
  }
  assert.equal(store.stats().healthy, false, `unhealthy after ${FAILURES_BEFORE_UNHEALTHY} timeouts`)
  assert.equal(logger.count(UNAVAILABLE), 1)
  const skippedBefore = store.stats().skipped
  const { ms } = await timed(() => store.getVersion(v.id))
  assert.ok(ms < 40, `once unhealthy, a read is not even sent (${ms} ms)`)
  assert.equal(store.stats().skipped, skippedBefore + 1)

  server.resume()
  // Back through a probe, or through the reconnection after the socket timeout.
  await waitFor('the store to see Redis answer again', async () => {
    await store.getVersion(v.id)
    return store.stats().healthy
  })
  assert.ok(await store.getVersion(v.id) !== undefined, 'the version written before the freeze is read again')
  assert.equal(logger.count(BACK), 1)
})
