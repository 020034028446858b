import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import { createRedisVersionStore } from '@coilgun/redis'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { outcomeOf } from './support/faultPair.ts'
import type { AppState } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'

// Issue 8: Redis going away and coming back again and again (killed and restarted
// empty, or frozen with SIGSTOP and thawed) under a listener and under a Fastify
// origin, both with Redis as their only store (no in-process cache), and a real
// sender in front. Every page every visitor gets is the current version, with a 200;
// after the last flap the stores reconnect by themselves and deltas resume.

const pages = versionedPages(8)
const FLAPS = 4

interface Topology {
  url: string
  state: AppState
  healthy: () => Promise<boolean>
}

async function listenerOnRedis (t: TestContext, redis: RedisServer): Promise<Topology> {
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
  t.after(origin.close)
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: origin.url, COILGUN_REDIS_URL: redis.url, COILGUN_REDIS_LRU_MAX_BYTES: '0' })
  t.after(() => listener.close())
  const { sender, url } = await startSender(listenerUrl)
  t.after(() => sender.close())
  return {
    url,
    state,
    healthy: async () => /coilgun_listener_redis_healthy 1\b/.test(await listener.metrics.registry.getSingleMetricAsString('coilgun_listener_redis_healthy'))
  }
}

async function pluginOnRedis (t: TestContext, redis: RedisServer): Promise<Topology> {
  const store = createRedisVersionStore({ url: redis.url, lruMaxBytes: 0 })
  t.after(() => store.close())
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false, store })
  t.after(origin.close)
  const { sender, url } = await startSender(origin.url)
  t.after(() => sender.close())
  return { url, state, healthy: async () => store.stats().healthy }
}

for (const [name, start] of [['listener', listenerOnRedis], ['Fastify plugin', pluginOnRedis]] as const) {
  test(`Redis flapping under a ${name}: every page right, deltas again after the last flap`, skipWithoutRedis(), async (t) => {
    const redis = await RedisServer.start()
    t.after(() => redis.stop())
    const run = await start(t, redis)
    let step = 0
    const outcomes = new Map<string, number>()
    /** The next version of every page, all pages at once; returns the outcomes. */
    async function advance (): Promise<string[]> {
      step++
      for (const p of pages) run.state.current.set(p.name, step % p.versions.length)
      const results = await Promise.all(pages.map(p => rawGet(`${run.url}/page/${p.name}`)))
      return results.map((res, i) => {
        const p = pages[i]!
        assert.equal(res.status, 200, `${p.name} step ${step}`)
        assert.ok(res.body.equals(p.versions[step % p.versions.length]!), `${p.name} step ${step}: not the current version`)
        const o = outcomeOf(res)
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1)
        return o
      })
    }

    /** Rounds until one is all deltas: the store found Redis again and wrote the versions. */
    async function deltasAgain (what: string): Promise<void> {
      await waitFor(what, async () => (await advance()).every(o => o === 'delta'), 20_000)
    }

    await advance()
    for (let flap = 0; flap < FLAPS; flap++) {
      const freeze = flap % 2 === 1
      await deltasAgain(`deltas with Redis up before flap ${flap}`)
      if (freeze) redis.pause()
      else await redis.kill()
      for (let i = 0; i < 3; i++) await advance()
      if (freeze) redis.resume()
      else await redis.restart()
    }
    await deltasAgain('deltas after the last flap')
    assert.ok(await run.healthy())
    t.diagnostic(`outcomes over ${step} rounds of ${pages.length} pages: ${JSON.stringify(Object.fromEntries(outcomes))}`)
    assert.ok((outcomes.get('full') ?? 0) > 0, 'outages were felt (full answers)')
  })
}
