import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resourceKey, sha256 } from '@coilgun/core'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { OriginProcess } from './support/originProcess.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'

// Issue 8: an origin process killed with SIGKILL after writing half of a response.
// The visitor gets an honest 502 (or, for a streamed passthrough, a response that
// breaks off, never a short one presented as complete); nothing partial is stored
// (the next delta is made against the last complete version and rebuilds); and the
// proxies need nothing but the origin coming back.

const pages = versionedPages(4)
const page = pages[0]!
const path = `/page/${page.name}`

function outcome (res: { headers: Record<string, string | string[] | undefined> }): string {
  return String(res.headers.coilgun).split(';')[0]!
}

test('origin with the plugin killed mid-answer behind the sender: 502, the held version survives, deltas after the restart', async (t) => {
  let origin = await OriginProcess.start({ plugin: true })
  t.after(() => origin.kill())
  const { sender, url } = await startSender(origin.url)
  t.after(() => sender.close())
  const key = resourceKey(new URL(url).host, path)

  const first = await rawGet(url + path)
  assert.ok(first.body.equals(page.versions[0]!))
  await origin.set(page.name, 1)
  const { stalled } = await origin.stallNext()
  const visitor = rawGet(url + path)
  await stalled
  await origin.kill()
  const broken = await visitor
  assert.equal(broken.status, 502, 'a cut answer is an honest 502')
  assert.ok(!broken.body.equals(page.versions[1]!))
  assert.ok(Buffer.from(sender.cache.get(key)!.hash).equals(sha256(page.versions[0]!)), 'the sender still holds the last complete version')
  assert.equal((await rawGet(url + path)).status, 502, 'while the origin is down: 502, not a stale page')

  // Same address, new process, empty store: full, then deltas against what the sender stored.
  origin = await OriginProcess.start({ plugin: true, port: origin.port })
  await origin.set(page.name, 1)
  const back = await rawGet(url + path)
  assert.equal(back.status, 200)
  assert.ok(back.body.equals(page.versions[1]!))
  assert.equal(outcome(back), 'full')
  await origin.set(page.name, 2)
  const next = await rawGet(url + path)
  assert.ok(next.body.equals(page.versions[2]!))
  assert.equal(outcome(next), 'delta', 'the stored base is complete: a delta against it rebuilds')
})

test('plain origin killed mid-body behind listener and sender: 502, nothing truncated stored, deltas resume', async (t) => {
  let origin = await OriginProcess.start({ plugin: false })
  t.after(() => origin.kill())
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: origin.url })
  t.after(() => listener.close())
  const { sender, url } = await startSender(listenerUrl)
  t.after(() => sender.close())

  assert.ok((await rawGet(url + path)).body.equals(page.versions[0]!))
  await origin.set(page.name, 1)
  const v1 = await rawGet(url + path)
  assert.ok(v1.body.equals(page.versions[1]!))
  assert.equal(outcome(v1), 'delta')

  await origin.set(page.name, 2)
  const { stalled } = await origin.stallNext()
  const visitor = rawGet(url + path)
  await stalled
  await origin.kill()
  const broken = await visitor
  assert.equal(broken.status, 502)
  assert.match(broken.body.toString(), /Bad Gateway/)

  origin = await OriginProcess.start({ plugin: false, port: origin.port })
  await origin.set(page.name, 2)
  const back = await rawGet(url + path)
  assert.ok(back.body.equals(page.versions[2]!))
  // Both ends still hold version 1: the listener stored nothing of the cut version 2.
  assert.equal(outcome(back), 'delta')
  await origin.set(page.name, 3)
  const next = await rawGet(url + path)
  assert.ok(next.body.equals(page.versions[3]!))
  assert.equal(outcome(next), 'delta')
})

test('a passthrough response cut by the kill reaches the visitor as broken, never as complete', async (t) => {
  let origin = await OriginProcess.start({ plugin: false })
  t.after(() => origin.kill())
  const { sender, url } = await startSender(origin.url)
  t.after(() => sender.close())
  const { stalled } = await origin.stallNext()
  // Settled at once, so that the visitor's failure is never an unhandled rejection.
  const visitor = rawGet(url + path).then(() => undefined, (err: unknown) => err)
  await stalled
  await origin.kill()
  assert.ok(await visitor instanceof Error, 'the visitor sees the response break off')
  origin = await OriginProcess.start({ plugin: false, port: origin.port })
  const back = await rawGet(url + path)
  assert.equal(back.status, 200)
  assert.ok(back.body.equals(page.versions[0]!))
  assert.equal(outcome(back), 'passthrough')
})
