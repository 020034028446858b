import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { startAvailabilityOrigin } from './availabilityOrigin.ts'
import { startSender } from './harness.ts'

// Issue 12, item 4: `curl -I` on a 50 MiB resource pulled 50 MiB over the link and
// counted it as visitor bytes. HEAD is now forwarded as HEAD (RFC 9110 section
// 9.3.2): the origin writes headers only, measured on its sockets.

async function counterValue (counter: { get (): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0)
}

test('HEAD through the sender moves no body over the link and counts no body bytes', async (t) => {
  const pages = versionedPages(1)
  const state: AppState = { current: new Map() }
  const origin = await startAvailabilityOrigin(pages, state)
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); await origin.close() })

  for (const path of ['/big', `/page/${pages[0]!.name}`]) {
    const before = origin.bytesWritten()
    const visitorBefore = await counterValue(sender.metrics.visitorBytes)
    const upstreamBefore = await counterValue(sender.metrics.upstreamBytes)
    const res = await request(`${url}${path}`, { method: 'HEAD' })
    await res.body.dump()
    const moved = origin.bytesWritten() - before
    t.diagnostic(`HEAD ${path}: ${moved} bytes from the origin, Content-Length ${String(res.headers['content-length'])}`)
    assert.equal(res.statusCode, 200)
    const expected = path === '/big' ? 5 * 1024 * 1024 : pages[0]!.versions[0]!.length
    assert.equal(Number(res.headers['content-length']), expected, 'the length a GET would have')
    assert.ok(moved < 4096, `${moved} bytes crossed the link for HEAD ${path}`)
    assert.equal(await counterValue(sender.metrics.visitorBytes), visitorBefore, 'no visitor body bytes counted')
    assert.equal(await counterValue(sender.metrics.upstreamBytes), upstreamBefore, 'no upstream body bytes counted')
  }
  assert.equal(origin.seen.get('/big HEAD'), 1, 'the origin saw a HEAD')
  assert.equal(origin.seen.get('/big GET'), undefined, 'and no GET')

  // A GET still brings the whole body.
  const before = origin.bytesWritten()
  const get = await request(`${url}/big`)
  assert.equal((await get.body.arrayBuffer()).byteLength, 5 * 1024 * 1024)
  assert.ok(origin.bytesWritten() - before >= 5 * 1024 * 1024)
})
