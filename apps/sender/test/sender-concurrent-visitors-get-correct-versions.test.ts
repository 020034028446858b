import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startPair } from './harness.ts'

// Issue 4: 50 concurrent visitors across several URLs while versions change: every
// response is a correct version of its own URL (never another URL's, never a mix).

const pages = versionedPages(10)

test('50 concurrent visitors while versions change: every page is a real version of its URL', async (t) => {
  const state: AppState = { current: new Map() }
  const pair = await startPair(pages, state)
  t.after(pair.close)
  const known = new Map(pages.map(p => [p.name, new Set(p.versions.map(v => createHash('sha256').update(v).digest('hex')))]))
  let step = 0
  const ticker = setInterval(() => {
    step++
    for (const p of pages) state.current.set(p.name, step % p.versions.length)
  }, 15)
  t.after(() => clearInterval(ticker))
  const outcomes = new Map<string, number>()
  await Promise.all(Array.from({ length: 50 }, async (_, visitor) => {
    for (let i = 0; i < 12; i++) {
      const page = pages[(visitor + i) % pages.length]!
      const res = await rawGet(`${pair.url}/page/${page.name}`, visitor % 2 === 0 ? { 'accept-encoding': 'gzip' } : {})
      assert.equal(res.status, 200)
      const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body
      const hash = createHash('sha256').update(body).digest('hex')
      assert.ok(known.get(page.name)!.has(hash), `visitor ${visitor} got a page that is not a version of ${page.name}`)
      const outcome = String(res.headers.coilgun).split(';')[0]!
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }))
  assert.ok((outcomes.get('delta') ?? 0) > 0, `deltas flowed: ${JSON.stringify([...outcomes])}`)
  assert.equal(outcomes.get('fallback') ?? 0, 0, 'no verification failures under concurrency')
})
