import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { startExpressOrigin } from '../packages/express/test/app.ts'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import { BACK, capturingLogger, UNAVAILABLE } from '../packages/redis/test/capturingLogger.ts'
import type { LogLine } from '../packages/redis/test/capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { startRoundRobin } from '@coilgun/fixtures/roundRobinProxy'
import { timed, waitFor } from '@coilgun/fixtures/waitFor'
import type { AppState } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SenderClient } from './support/senderClient.ts'

// Issue 6: Redis killed or hung in the middle of a run of requests. Every answer
// stays correct (full where the base is now unknown), no request takes long (1 s is
// twenty times the 50 ms store timeout: a generous bound for a loaded machine, not
// a timing claim), each instance logs the outage once, and once Redis is back the
// instances reconnect by themselves and deltas resume.

const BOUND_MS = 1000
const pages = versionedPages(12)
/**
 * Requests while Redis is down. Warm-up, healthy, kill and outage steps together
 * stay within one pass over the versions (12 without the corpus), so no instance
 * holds a base in its own cache from an earlier pass: every outage answer must be full.
 */
const OUTAGE_STEPS = 6

interface Run {
  sender: SenderClient
  state: AppState
  stores: RedisVersionStore[]
  logs: Array<{ lines: LogLine[], count: (p: RegExp) => number }>
  /** The next version of the next page; `bounded`: assert it took less than BOUND_MS. */
  step: (bounded?: boolean) => Promise<{ kind: string, ms: number }>
}

/** A Fastify and an Express instance on one Redis behind a round-robin; `step` serves the next version of the next page. */
async function startRun (t: TestContext, server: RedisServer): Promise<Run> {
  const logs = [capturingLogger(), capturingLogger()]
  const stores = logs.map(logger => createRedisVersionStore({ url: server.url, logger }))
  t.after(() => Promise.all(stores.map(s => s.close())))
  assert.ok((await Promise.all(stores.map(s => s.ready()))).every(Boolean))
  const state: AppState = { current: new Map() }
  const origins = [
    await startFastifyOrigin(pages, state, { plugin: true, compress: false, store: stores[0]! }),
    await startExpressOrigin(pages, state, { plugin: true, compress: false, store: stores[1]! })
  ]
  t.after(() => Promise.all(origins.map(o => o.close())))
  const balancer = await startRoundRobin(origins.map(o => o.url))
  t.after(balancer.close)
  const sender = await SenderClient.create(balancer.url, SECRET, ['vcdiff'])
  let n = 0
  async function step (bounded = true): Promise<{ kind: string, ms: number }> {
    const page = pages[n % pages.length]!
    const index = Math.floor(n / pages.length) % page.versions.length
    n++
    state.current.set(page.name, index)
    const { ms, value: res } = await timed(() => sender.get(`/page/${page.name}`))
    assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[index]!), `${page.name} v${index + 1} differs`)
    if (bounded) assert.ok(ms < BOUND_MS, `${page.name} v${index + 1} took ${Math.round(ms)} ms`)
    return { kind: res.rebuilt.kind, ms }
  }
  // Every page once, so that from now on each request names a base. Not timed: the
  // first request of a page pays for cold paths (codec compilation, JIT), not Redis.
  for (let i = 0; i < pages.length; i++) assert.equal((await step(false)).kind, 'full')
  return { sender, state, stores, logs, step }
}

/**
 * Steps until `count` deltas in a row, at most `limit` steps: the first request of
 * each page after the outage names a base Redis never got, so it is full.
 */
async function deltasResume (run: Run, count: number, limit: number): Promise<number> {
  let inARow = 0
  for (let i = 0; i < limit; i++) {
    inARow = (await run.step()).kind === 'delta' ? inARow + 1 : 0
    if (inARow === count) return i + 1
  }
  throw new Error(`deltas did not resume within ${limit} requests`)
}

test('Redis killed mid-run: every answer correct and quick; restarted: deltas resume', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const run = await startRun(t, server)
  for (let i = 0; i < 3; i++) assert.equal((await run.step()).kind, 'delta', 'Redis shared: deltas')

  // SIGKILL while a request is in flight: whatever that answer is, it is right.
  await Promise.all([run.step(), server.kill()])
  let slowest = 0
  for (let i = 0; i < OUTAGE_STEPS; i++) {
    const { kind, ms } = await run.step()
    assert.equal(kind, 'full', 'each base came from the other instance, now unknown: full')
    slowest = Math.max(slowest, ms)
  }
  t.diagnostic(`slowest request with Redis killed: ${Math.round(slowest)} ms`)
  assert.ok(run.stores.every(s => !s.stats().healthy))
  assert.deepEqual(run.logs.map(l => l.count(UNAVAILABLE)), [1, 1], 'one line per instance for the whole outage')

  await server.restart()
  await waitFor('both instances to reconnect', () => run.stores.every(s => s.stats().healthy))
  await deltasResume(run, 4, pages.length + 6)
  assert.deepEqual(run.logs.map(l => l.count(BACK)), [1, 1])
  assert.deepEqual(run.stores.map(s => s.stats().outages), [1, 1])
})

test('Redis hung (SIGSTOP) mid-run: every answer correct and quick; thawed: deltas resume', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const run = await startRun(t, server)
  for (let i = 0; i < 3; i++) assert.equal((await run.step()).kind, 'delta')

  server.pause()
  t.after(() => server.resume())
  let slowest = 0
  for (let i = 0; i < OUTAGE_STEPS; i++) {
    const { kind, ms } = await run.step()
    assert.equal(kind, 'full')
    slowest = Math.max(slowest, ms)
  }
  t.diagnostic(`slowest request with Redis hung: ${Math.round(slowest)} ms`)
  assert.ok(run.stores.every(s => s.stats().errors > 0), 'reads timed out')
  assert.deepEqual(run.logs.map(l => l.count(UNAVAILABLE)), [1, 1])

  server.resume()
  await waitFor('both instances to see Redis answer again', async () => {
    await run.step()
    return run.stores.every(s => s.stats().healthy)
  }, 15_000)
  await deltasResume(run, 4, pages.length + 6)
})
