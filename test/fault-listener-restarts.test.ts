import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startSender } from '../apps/sender/test/harness.ts'
import { freePort } from '@coilgun/fixtures/redisServer'
import { hashOf, outcomeOf } from './support/faultPair.ts'
import { ListenerProcess } from './support/listenerProcess.ts'
import { OriginProcess } from './support/originProcess.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { resourceKey } from '@coilgun/core'

// Issue 8: the listener process restarted under a sender that knows only it: once
// with SIGTERM while idle, once with SIGKILL in the middle of an answer. While it is
// down visitors get an honest 502; the sender keeps its last verified versions; when
// it is back (same address, empty store) it answers full for a base it never saw and
// deltas follow, without touching the sender.

const pages = versionedPages(6)
const page = pages[0]!
const path = `/page/${page.name}`

test('listener stopped (SIGTERM) and killed mid-answer (SIGKILL): 502 while down, full then deltas when back', async (t) => {
  const origin = await OriginProcess.start({ plugin: false })
  t.after(() => origin.kill())
  const port = await freePort()
  let listener = await ListenerProcess.start(port, { COILGUN_ORIGIN: origin.url })
  t.after(() => listener.stop('SIGKILL'))
  const { sender, url } = await startSender(listener.url, { COILGUN_CONNECT_TIMEOUT_MS: '2000' })
  t.after(() => sender.close())
  const key = resourceKey(new URL(url).host, path)
  async function visit (index: number, expected: string): Promise<void> {
    await origin.set(page.name, index)
    const res = await rawGet(url + path)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[index]!), `v${index + 1} differs`)
    assert.equal(outcomeOf(res), expected, `v${index + 1}`)
  }

  await visit(0, 'full')
  await visit(1, 'delta')

  assert.equal(await listener.stop('SIGTERM'), 0, 'SIGTERM: a clean exit')
  const down = await rawGet(url + path)
  assert.equal(down.status, 502)
  assert.ok(Buffer.from(sender.cache.get(key)!.hash).equals(hashOf(page.versions[1]!)))

  listener = await ListenerProcess.start(port, { COILGUN_ORIGIN: origin.url })
  // The version the sender names is still current: recognised by its hash and stored
  // again, so the next change is already a delta.
  await visit(1, 'not-modified')
  await visit(2, 'delta')
  await visit(3, 'delta')

  await origin.set(page.name, 4)
  const { stalled } = await origin.stallNext()
  const inFlight = rawGet(url + path)
  await stalled
  await listener.stop('SIGKILL')
  const cut = await inFlight
  assert.equal(cut.status, 502, 'the answer in flight when the listener died: 502')
  assert.ok(Buffer.from(sender.cache.get(key)!.hash).equals(hashOf(page.versions[3]!)))

  listener = await ListenerProcess.start(port, { COILGUN_ORIGIN: origin.url })
  await visit(4, 'full')
  await visit(5, 'delta')
})
