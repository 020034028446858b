import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import type { AppState } from '../../../test/support/originConformance.ts'
import { startPair } from './harness.ts'

// Issue 4: every version of every corpus set through sender + Fastify origin:
// byte-identical pages, deltas from the second request on, and the bytes on the
// upstream link a small fraction of the pages served.

const pages = versionedPages(Infinity)

test('every corpus version reaches the visitor byte-identical, mostly as deltas', async (t) => {
  const state: AppState = { current: new Map() }
  const pair = await startPair(pages, state)
  t.after(pair.close)
  let pageBytes = 0
  for (const page of pages) {
    let deltas = 0
    for (let i = 0; i < page.versions.length; i++) {
      state.current.set(page.name, i)
      const res = await rawGet(`${pair.url}/page/${page.name}`, { 'accept-encoding': 'gzip' })
      assert.equal(res.status, 200)
      const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body
      assert.ok(body.equals(page.versions[i]!), `${page.name} v${i + 1} differs`)
      const diag = String(res.headers.coilgun)
      if (i === 0) assert.match(diag, /^full/)
      else if (diag.startsWith('delta')) deltas++
      pageBytes += page.versions[i]!.length
      for (const internal of ['repr-digest', 'im', 'delta-base', 'coilgun-origin', 'coilgun-origin-etag']) assert.equal(res.headers[internal], undefined, `${internal} leaked`)
      assert.equal(res.headers.etag, `"app-${i}"`, 'the app\'s own ETag is restored')
      assert.equal(res.headers['cache-control'], 'public, max-age=0, must-revalidate', 'the app\'s own headers are kept')
    }
    assert.ok(deltas >= page.versions.length - 3, `${page.name}: ${deltas} deltas for ${page.versions.length - 1} updates`)
  }
  const metrics = await pair.sender.metrics.registry.getSingleMetricAsString('coilgun_upstream_bytes_total')
  const upstreamBytes = Number(/coilgun_upstream_bytes_total (\d+)/.exec(metrics)?.[1])
  assert.ok(upstreamBytes > 0)
  assert.ok(upstreamBytes < pageBytes * 0.05, `upstream ${upstreamBytes} bytes for ${pageBytes} bytes of pages (${(100 * upstreamBytes / pageBytes).toFixed(2)}%)`)
})
