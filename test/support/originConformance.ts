import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { test } from 'node:test'
import type { OriginResponder, VersionStore } from '@coilgun/core'
import { NASTY_HEADER_VALUES } from './nastyHeaders.ts'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { SenderClient } from './senderClient.ts'

export const SECRET = 'test-secret-0123456789abcdef'
export { rawGet }

export interface AppState {
  /** Index of the version each page serves now. */
  current: Map<string, number>
}

/**
 * How a conformance run starts an origin. The app must serve, for each page:
 * `GET /page/:name` (current version with content-type, `cache-control: public,
 * max-age=0, must-revalidate`, `vary: Accept-Language`, `etag: "app-<index>"`),
 * `GET /private/:name` (the same with `cache-control: private, max-age=0,
 * must-revalidate`, two cookies `session=abc123; HttpOnly` and `theme=dark` and
 * `vary: Cookie`: private, issue 11), `GET /optout/:name` (opted
 * out of Coilgun), `GET /stream/:name?repeat=N` (the version N times, written in
 * chunks) and `GET /binary` (50 000 bytes of image/png).
 */
export interface OriginFactoryOptions {
  plugin: boolean
  compress: boolean
  maxBodyBytes?: number
  /** A version store to inject instead of the embedded default. */
  store?: VersionStore
  /** Port to listen on (default: any free port). */
  port?: number
}
export type OriginFactory = (pages: VersionedPage[], state: AppState, options: OriginFactoryOptions) => Promise<{ url: string, close: () => Promise<void>, responder: () => OriginResponder | undefined }>

function comparable (headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const { date: _date, 'keep-alive': _ka, connection: _c, ...rest } = headers
  return rest
}

const UNAUTHENTICATED: Array<{ name: string, headers: Record<string, string> }> = [
  { name: 'plain visitor', headers: {} },
  { name: 'visitor accepting gzip', headers: { 'accept-encoding': 'gzip, br' } },
  { name: 'wrong secret', headers: { 'coilgun-secret': 'not-the-secret-at-all-xx' } },
  { name: 'empty secret', headers: { 'coilgun-secret': '' } },
  { name: 'secret with a different case', headers: { 'coilgun-secret': SECRET.toUpperCase() } },
  { name: 'secret prefix', headers: { 'coilgun-secret': SECRET.slice(0, -1) } },
  { name: 'forged A-IM without secret', headers: { 'a-im': 'vcdiff', 'if-none-match': '"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' } },
  { name: 'forged dictionary without secret', headers: { 'accept-encoding': 'dcz, dcb, gzip', 'available-dictionary': `:${Buffer.alloc(32).toString('base64')}:` } },
  { name: 'forged A-IM with wrong secret', headers: { 'coilgun-secret': 'wrong-secret-0123456789', 'a-im': 'vcdiff, gzip', 'if-none-match': '*' } }
]

/**
 * The behaviour issue 3 asks of every origin-side entry point, over real sockets:
 * deltas that rebuild corpus versions, untouched responses for everyone else, nasty
 * headers, opt-out, oversize streams, compression middleware, and the delta memo.
 */
export function runOriginConformance (adapter: string, start: OriginFactory): void {
  const pages = versionedPages(8)
  const page = pages[0]!

  // `/page/` is public; `/private/` is one visitor's page (issue 11), which the
  // origin still delta-encodes against the base the sender names for that visitor.
  for (const [codecs, route] of [[['vcdiff'], 'page'], [['dcz', 'dcb'], 'page'], [['vcdiff'], 'private'], [['dcz', 'dcb'], 'private']] as const) {
    test(`${adapter}: each ${route === 'page' ? 'public' : 'private'} corpus version rebuilds byte-identical from ${codecs.join('/')} deltas`, async (t) => {
      const state: AppState = { current: new Map() }
      const origin = await start(pages, state, { plugin: true, compress: false })
      t.after(origin.close)
      const sender = await SenderClient.create(origin.url, SECRET, [...codecs])
      if (sender.codecs.length === 0) { t.skip(`${codecs.join('/')} unavailable on Node ${process.versions.node}`); return }
      for (const p of pages) {
        let deltas = 0
        for (let i = 0; i < p.versions.length; i++) {
          state.current.set(p.name, i)
          const res = await sender.get(`/${route}/${p.name}`)
          assert.ok(Buffer.from(res.rebuilt.body).equals(p.versions[i]!), `${p.name} v${i + 1} differs`)
          if (i === 0) {
            assert.equal(res.rebuilt.kind, 'full')
            assert.equal(res.status, 200)
          } else if (res.rebuilt.kind === 'delta') {
            deltas++
            assert.ok(codecs.includes(res.rebuilt.codec as never), `codec ${res.rebuilt.codec}`)
            assert.equal(res.status, res.rebuilt.codec === 'vcdiff' ? 226 : 200)
            assert.ok(res.wireBytes < p.versions[i]!.length / 10, `delta of ${res.wireBytes} bytes for a ${p.versions[i]!.length}-byte page`)
          }
          // The app's own headers survive: cookies, caching, Vary.
          if (route === 'private') {
            assert.deepEqual(res.headers['set-cookie'], ['session=abc123; HttpOnly', 'theme=dark'])
            assert.equal(res.headers['cache-control'], 'private, max-age=0, must-revalidate')
            assert.match(String(res.headers.vary), /^Cookie\b/)
          } else {
            assert.equal(res.headers['set-cookie'], undefined)
            assert.equal(res.headers['cache-control'], 'public, max-age=0, must-revalidate')
            assert.match(String(res.headers.vary), /^Accept-Language\b/)
          }
          assert.equal(res.headers['coilgun-origin-etag'], `"app-${i}"`)
        }
        assert.ok(deltas >= p.versions.length - 2, `${p.name}: ${deltas} deltas in ${p.versions.length - 1} updates`)
      }
    })
  }

  test(`${adapter}: an unknown base gets the full page`, async (t) => {
    const state: AppState = { current: new Map() }
    const origin = await start(pages, state, { plugin: true, compress: false })
    t.after(origin.close)
    const res = await rawGet(`${origin.url}/page/${page.name}`, { 'coilgun-secret': SECRET, 'a-im': 'vcdiff', 'if-none-match': '"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"', 'accept-encoding': 'identity' })
    assert.equal(res.status, 200)
    assert.equal(res.headers.im, undefined)
    assert.equal(res.headers['coilgun-origin'], 'full')
    assert.ok(res.body.equals(page.versions[0]!))
    assert.match(String(res.headers['repr-digest']), /^sha-256=:/)
  })

  for (const compress of [false, true]) {
    test(`${adapter}${compress ? ' with compression' : ''}: unauthenticated responses are byte-identical to the plain app`, async (t) => {
      const state: AppState = { current: new Map([[page.name, 1]]) }
      const plain = await start(pages, state, { plugin: false, compress })
      const withPlugin = await start(pages, state, { plugin: true, compress })
      t.after(() => Promise.all([plain.close(), withPlugin.close()]))
      for (const path of [`/page/${page.name}`, '/binary', `/stream/${page.name}`]) {
        for (const c of UNAUTHENTICATED) {
          const expected = await rawGet(plain.url + path, c.headers)
          const actual = await rawGet(withPlugin.url + path, c.headers)
          assert.equal(actual.status, expected.status, `${c.name} ${path}`)
          assert.deepEqual(comparable(actual.headers), comparable(expected.headers), `${c.name} ${path}`)
          assert.ok(actual.body.equals(expected.body), `${c.name} ${path}: body differs`)
          for (const internal of ['repr-digest', 'im', 'delta-base', 'coilgun-origin', 'coilgun-origin-etag']) {
            assert.equal(actual.headers[internal], undefined, `${c.name} ${path}: ${internal} leaked`)
          }
        }
      }
    })
  }

  test(`${adapter}: ${NASTY_HEADER_VALUES.length} nasty protocol header values never break a response`, async (t) => {
    assert.ok(NASTY_HEADER_VALUES.length >= 20)
    const state: AppState = { current: new Map([[page.name, 0]]) }
    const origin = await start(pages, state, { plugin: true, compress: false })
    t.after(origin.close)
    for (const nasty of NASTY_HEADER_VALUES) {
      const sender = await SenderClient.create(origin.url, SECRET)
      state.current.set(page.name, 0)
      await sender.get(`/page/${page.name}`)
      state.current.set(page.name, 1)
      // The sender's real base plus the nasty values (which override the same names).
      const res = await sender.get(`/page/${page.name}`, nasty.headers)
      assert.ok([200, 226].includes(res.status), `${nasty.name}: status ${res.status}`)
      assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[1]!), `${nasty.name}: wrong page`)
    }
  })

  test(`${adapter}: an opted-out route answers a sender exactly as a visitor`, async (t) => {
    const state: AppState = { current: new Map() }
    const origin = await start(pages, state, { plugin: true, compress: false })
    t.after(origin.close)
    const res = await rawGet(`${origin.url}/optout/${page.name}`, { 'coilgun-secret': SECRET, 'accept-encoding': 'gzip' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['repr-digest'], undefined)
    assert.equal(res.headers['content-encoding'], undefined)
    assert.ok(res.body.equals(page.versions[0]!))
  })

  test(`${adapter}: a stream over the max size passes through untouched and complete`, async (t) => {
    const state: AppState = { current: new Map() }
    const origin = await start(pages, state, { plugin: true, compress: false, maxBodyBytes: page.versions[0]!.length * 2 })
    t.after(origin.close)
    const big = await rawGet(`${origin.url}/stream/${page.name}?repeat=3`, { 'coilgun-secret': SECRET, 'accept-encoding': 'identity' })
    assert.equal(big.status, 200)
    assert.equal(big.headers['repr-digest'], undefined, 'not a Coilgun answer')
    assert.ok(big.body.equals(Buffer.concat([page.versions[0]!, page.versions[0]!, page.versions[0]!])))
    // Within the limit, a stream is buffered and answered like any page.
    const sender = await SenderClient.create(origin.url, SECRET)
    const small = await sender.get(`/stream/${page.name}`)
    assert.match(String(small.headers['repr-digest']), /^sha-256=/)
    assert.ok(Buffer.from(small.rebuilt.body).equals(page.versions[0]!))
  })

  test(`${adapter} with compression: visitors get gzip, senders get deltas that are not re-encoded`, async (t) => {
    const state: AppState = { current: new Map([[page.name, 0]]) }
    const origin = await start(pages, state, { plugin: true, compress: true })
    t.after(origin.close)
    const visitor = await rawGet(`${origin.url}/page/${page.name}`, { 'accept-encoding': 'gzip' })
    assert.equal(visitor.headers['content-encoding'], 'gzip')
    assert.ok(gunzipSync(visitor.body).equals(page.versions[0]!))
    const sender = await SenderClient.create(origin.url, SECRET, ['vcdiff'])
    const first = await sender.get(`/page/${page.name}`)
    assert.equal(first.rebuilt.kind, 'full')
    assert.ok(['br', 'gzip'].includes(String(first.headers['content-encoding'])), 'full bodies travel compressed')
    for (let i = 1; i < 3; i++) {
      state.current.set(page.name, i)
      const res = await sender.get(`/page/${page.name}`)
      assert.equal(res.status, 226)
      assert.equal(res.headers['content-encoding'], undefined, 'a 226 delta carries no content coding')
      assert.ok(Buffer.from(res.rebuilt.body).equals(page.versions[i]!))
    }
  })

  test(`${adapter}: a burst of identical delta requests is encoded once`, async (t) => {
    const state: AppState = { current: new Map([[page.name, 0]]) }
    const origin = await start(pages, state, { plugin: true, compress: false })
    t.after(origin.close)
    const senders = await Promise.all(Array.from({ length: 10 }, () => SenderClient.create(origin.url, SECRET, ['vcdiff'])))
    for (const s of senders) await s.get(`/page/${page.name}`)
    state.current.set(page.name, 1)
    const before = origin.responder()!.stats()
    const answers = await Promise.all(senders.map(s => s.get(`/page/${page.name}`)))
    for (const a of answers) {
      assert.equal(a.rebuilt.kind, 'delta')
      assert.ok(Buffer.from(a.rebuilt.body).equals(page.versions[1]!))
    }
    const after = origin.responder()!.stats()
    assert.equal(after.encodes - before.encodes, 1, 'one encode for ten identical requests')
    assert.equal(after.memoHits - before.memoHits, 9)
  })
}
