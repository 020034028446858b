import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener, startSender } from './harness.ts'

// Issue 6 through the listener: two listeners given COILGUN_REDIS_URL share versions,
// so a sender alternating between them gets deltas whichever answers; without
// Redis, each answers full for a base the other one sent.

for (const shared of [true, false]) {
  test(`two listeners ${shared ? 'sharing Redis' : 'with embedded stores'}: ${shared ? 'deltas from either' : 'full when the other one sent the base'}`, skipWithoutRedis(), async (t) => {
    const redis = await RedisServer.start()
    const pages = versionedPages(6)
    const page = pages[0]!
    const state: AppState = { current: new Map() }
    const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
    const env: Record<string, string> = shared ? { COILGUN_ORIGIN: origin.url, COILGUN_REDIS_URL: redis.url } : { COILGUN_ORIGIN: origin.url }
    const a = await startListener(env)
    const b = await startListener(env)
    const { sender, url } = await startSender(`${a.url},${b.url}`)
    t.after(async () => { await sender.close(); await a.listener.close(); await b.listener.close(); await origin.close(); await redis.stop() })
    const outcomes: string[] = []
    for (let i = 0; i < page.versions.length; i++) {
      state.current.set(page.name, i)
      const res = await rawGet(`${url}/page/${page.name}`)
      assert.ok(res.body.equals(page.versions[i]!), `v${i + 1} differs`)
      outcomes.push(String(res.headers.coilgun).split(';')[0]!)
    }
    // The sender rotates over the two listeners, so each base was sent by the other.
    if (shared) assert.deepEqual(outcomes, ['full', ...Array(page.versions.length - 1).fill('delta')])
    else assert.deepEqual(outcomes, Array(page.versions.length).fill('full'))
  })
}
