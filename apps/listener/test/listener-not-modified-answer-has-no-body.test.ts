import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener, startSender } from './harness.ts'

// Regression (found by the failover test): the listener's 304 to a sender carried
// `Content-Length: 4` (a serialized null), so every unchanged page failed with a
// length mismatch at the sender. A 304 has no body and no such length.

test('an unchanged page through the listener is a bodyless 304 upstream and a 200 for the visitor', async (t) => {
  const pages = versionedPages(1)
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: origin.url })
  const { sender, url } = await startSender(listenerUrl)
  t.after(async () => { await sender.close(); await listener.close(); await origin.close() })
  const page = pages[0]!
  assert.match(String((await rawGet(`${url}/page/${page.name}`)).headers.coilgun), /^full/)
  const again = await rawGet(`${url}/page/${page.name}`)
  assert.equal(again.status, 200)
  assert.ok(again.body.equals(page.versions[0]!))
  assert.match(String(again.headers.coilgun), /^not-modified; up=0/)
})
