import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryVersionStore } from '@coilgun/core'
import { startExpressOrigin } from '../packages/express/test/app.ts'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import type { AppState } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SenderClient } from './support/senderClient.ts'

// Issue 3 (store injection): a Fastify origin and an Express origin given the same
// store know each other's versions, so a sender alternating between them gets a
// delta whichever answers; with separate stores, the other one answers full.

const pages = versionedPages(6)
const page = pages[0]!

for (const shared of [true, false]) {
  test(`${shared ? 'a shared' : 'separate'} store: deltas across a Fastify and an Express origin`, async (t) => {
    const state: AppState = { current: new Map() }
    const store = new MemoryVersionStore()
    t.after(() => store.close())
    const fastifyOrigin = await startFastifyOrigin(pages, state, { plugin: true, compress: false, ...(shared ? { store } : {}) })
    const expressOrigin = await startExpressOrigin(pages, state, { plugin: true, compress: false, ...(shared ? { store } : {}) })
    t.after(() => Promise.all([fastifyOrigin.close(), expressOrigin.close()]))
    const senders = [await SenderClient.create(fastifyOrigin.url, SECRET, ['vcdiff']), await SenderClient.create(expressOrigin.url, SECRET, ['vcdiff'])]
    let deltas = 0
    for (let i = 0; i < page.versions.length; i++) {
      state.current.set(page.name, i)
      // Round robin: the version one origin sent becomes the base asked of the other.
      const sender = senders[i % 2]!
      const other = senders[(i + 1) % 2]!
      const res = await sender.get(`/page/${page.name}`)
      assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[i]!), `v${i + 1} differs`)
      if (res.rebuilt.kind === 'delta') deltas++
      other.held.set(`/page/${page.name}`, sender.held.get(`/page/${page.name}`)!)
    }
    if (shared) assert.equal(deltas, page.versions.length - 1, 'every update after the first is a delta')
    else assert.equal(deltas, 0, 'each origin only knows what it sent itself')
  })
}
