import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SenderClient } from '../../../test/support/senderClient.ts'
import { versionedPages } from '../../../test/support/pageVersions.ts'
import { buildApp, SECRET } from './app.ts'
import type { AppState } from './app.ts'

// Issue 3: a sequence of corpus versions requested as a sender would: the first
// answer is full, every later one a delta (226 vcdiff, or dcz/dcb where the runtime
// has them) that rebuilds a byte-identical page, and far smaller than the page.

const pages = versionedPages(8)

for (const codecs of [['vcdiff'], ['dcz', 'dcb']] as const) {
  test(`real sockets: each version rebuilds byte-identical from ${codecs.join('/')} deltas`, async (t) => {
    const state: AppState = { current: new Map() }
    const app = await buildApp(pages, state)
    t.after(() => app.close())
    const origin = await app.listen({ port: 0, host: '127.0.0.1' })
    const sender = await SenderClient.create(origin, SECRET, [...codecs])
    if (sender.codecs.length === 0) { t.skip(`${codecs.join('/')} unavailable on Node ${process.versions.node}`); return }
    for (const page of pages) {
      let deltas = 0
      for (let i = 0; i < page.versions.length; i++) {
        state.current.set(page.name, i)
        const res = await sender.get(`/page/${page.name}`)
        assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[i]!), `${page.name} v${i + 1} differs`)
        if (i === 0) {
          assert.equal(res.rebuilt.kind, 'full')
          assert.equal(res.status, 200)
        } else if (res.rebuilt.kind === 'delta') {
          deltas++
          assert.ok(codecs.includes(res.rebuilt.codec as never), `codec ${res.rebuilt.codec}`)
          assert.equal(res.status, res.rebuilt.codec === 'vcdiff' ? 226 : 200)
          assert.ok(res.wireBytes < page.versions[i]!.length / 10, `delta of ${res.wireBytes} bytes for a ${page.versions[i]!.length}-byte page`)
        }
        // The app's own headers survive: cookies, caching, Vary.
        assert.deepEqual(res.headers['set-cookie'], ['session=abc123; HttpOnly', 'theme=dark'])
        assert.equal(res.headers['cache-control'], 'private, max-age=0, must-revalidate')
        assert.match(String(res.headers.vary), /^Cookie\b/)
        assert.equal(res.headers['coilgun-origin-etag'], `"app-${i}"`)
      }
      assert.ok(deltas >= page.versions.length - 2, `${page.name}: ${deltas} deltas in ${page.versions.length - 1} updates`)
    }
  })
}

test('inject: the same version twice answers 304 with the digest, and the sender keeps its base', async (t) => {
  const state: AppState = { current: new Map() }
  const app = await buildApp(pages, state)
  t.after(() => app.close())
  const page = pages[0]!
  const first = await app.inject({ method: 'GET', url: `/page/${page.name}`, headers: { 'coilgun-secret': SECRET } })
  assert.equal(first.statusCode, 200)
  const etag = String(first.headers.etag)
  assert.match(etag, /^"cg-/)
  const again = await app.inject({ method: 'GET', url: `/page/${page.name}`, headers: { 'coilgun-secret': SECRET, 'a-im': 'vcdiff', 'if-none-match': etag } })
  assert.equal(again.statusCode, 304)
  assert.equal(again.headers.etag, etag)
  assert.equal(again.headers['repr-digest'], first.headers['repr-digest'])
  assert.equal(again.rawPayload.length, 0)
})

test('inject: an unknown base gets the full page with its digest and tag', async (t) => {
  const state: AppState = { current: new Map() }
  const app = await buildApp(pages, state)
  t.after(() => app.close())
  const page = pages[0]!
  const res = await app.inject({
    method: 'GET',
    url: `/page/${page.name}`,
    headers: { 'coilgun-secret': SECRET, 'a-im': 'vcdiff', 'if-none-match': '"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"', 'accept-encoding': 'identity' }
  })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers.im, undefined)
  assert.equal(res.headers['coilgun-origin'], 'full')
  assert.ok(res.rawPayload.equals(page.versions[0]!))
  assert.match(String(res.headers['repr-digest']), /^sha-256=:/)
})
