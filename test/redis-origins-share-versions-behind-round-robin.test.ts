import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryVersionStore } from '@coilgun/core'
import type { VersionStore } from '@coilgun/core'
import { startExpressOrigin } from '../packages/express/test/app.ts'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import { createRedisVersionStore } from '@coilgun/redis'
import { capturingLogger } from '../packages/redis/test/capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { startRoundRobin, UPSTREAM_HEADER } from '@coilgun/fixtures/roundRobinProxy'
import type { AppState, OriginFactory } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SenderClient } from './support/senderClient.ts'

// Issue 6: two origin instances, each with its own Redis store (as on two
// machines), behind a round-robin in front of one sender. After the first request
// of a page every answer is a delta, whichever instance gives it, and every page
// rebuilds byte for byte. With embedded stores the same set-up gets no delta at all.

const pages = versionedPages(8)

const PAIRS: Array<{ name: string, starts: [OriginFactory, OriginFactory] }> = [
  { name: 'Fastify', starts: [startFastifyOrigin, startFastifyOrigin] },
  { name: 'Express', starts: [startExpressOrigin, startExpressOrigin] },
  { name: 'Fastify and Express', starts: [startFastifyOrigin, startExpressOrigin] }
]

interface Replay {
  deltas: number
  requests: number
  /** Instances that answered with a delta. */
  deltaFrom: Set<string>
}

/** Replays every version of every page through the round-robin; asserts each page byte for byte. */
async function replay (url: string, state: AppState): Promise<Replay> {
  const sender = await SenderClient.create(url, SECRET)
  const result: Replay = { deltas: 0, requests: 0, deltaFrom: new Set() }
  for (const page of pages) {
    for (let i = 0; i < page.versions.length; i++) {
      state.current.set(page.name, i)
      const res = await sender.get(`/page/${page.name}`)
      result.requests++
      assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[i]!), `${page.name} v${i + 1} differs`)
      if (i === 0) assert.equal(res.rebuilt.kind, 'full', 'the sender holds nothing yet')
      if (res.rebuilt.kind === 'delta') {
        result.deltas++
        result.deltaFrom.add(String(res.headers[UPSTREAM_HEADER]))
      }
    }
  }
  return result
}

async function startPair (starts: [OriginFactory, OriginFactory], state: AppState, stores: [VersionStore, VersionStore]): Promise<{ url: string, close: () => Promise<void> }> {
  const origins = await Promise.all(starts.map((start, i) => start(pages, state, { plugin: true, compress: false, store: stores[i]! })))
  const balancer = await startRoundRobin(origins.map(o => o.url))
  return {
    url: balancer.url,
    close: async () => {
      await balancer.close()
      await Promise.all(origins.map(o => o.close()))
    }
  }
}

for (const { name, starts } of PAIRS) {
  test(`two ${name} origins sharing Redis behind a round-robin: every update is a delta, whichever answers`, skipWithoutRedis(), async (t) => {
    const server = await RedisServer.start()
    t.after(() => server.stop())
    const loggers = [capturingLogger(), capturingLogger()]
    const stores = [createRedisVersionStore({ url: server.url, logger: loggers[0] }), createRedisVersionStore({ url: server.url, logger: loggers[1] })] as const
    t.after(() => Promise.all(stores.map(s => s.close())))
    assert.ok((await Promise.all(stores.map(s => s.ready()))).every(Boolean), 'both stores connected')
    const state: AppState = { current: new Map() }
    const pair = await startPair(starts, state, [stores[0], stores[1]])
    t.after(pair.close)

    const result = await replay(pair.url, state)
    assert.equal(result.deltas, result.requests - pages.length, 'every request after the first of each page is a delta')
    assert.deepEqual([...result.deltaFrom].sort(), ['0', '1'], 'both instances answered with deltas')
    const redisHits = stores.map(s => s.stats().redisHits)
    assert.ok(redisHits.every(h => h > 0), `each instance read bases the other wrote (${redisHits.join(', ')})`)
    assert.deepEqual(stores.map(s => s.stats().errors), [0, 0])
    assert.equal(loggers[0]!.count(/unavailable/) + loggers[1]!.count(/unavailable/), 0)
  })
}

test('the same round-robin with an embedded store per instance gets no delta (the peer)', async (t) => {
  const stores = [new MemoryVersionStore(), new MemoryVersionStore()] as const
  t.after(() => Promise.all(stores.map(s => s.close())))
  const state: AppState = { current: new Map() }
  const pair = await startPair([startFastifyOrigin, startFastifyOrigin], state, [stores[0], stores[1]])
  t.after(pair.close)
  const result = await replay(pair.url, state)
  assert.equal(result.deltas, 0, 'each instance only knows the versions it sent itself')
})
