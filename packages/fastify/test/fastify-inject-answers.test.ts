import assert from 'node:assert/strict'
import { test } from 'node:test'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { buildApp, SECRET } from './app.ts'
import type { AppState } from './app.ts'

// Issue 3 with inject(): the plugin's answers without sockets.

const pages = versionedPages(2)
const page = pages[0]!

test('the same version twice answers 304 with the digest, and the sender keeps its base', async (t) => {
  const app = await buildApp(pages, { current: new Map() })
  t.after(() => app.close())
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

test('a delta answer names its base and decodes against it', async (t) => {
  const state: AppState = { current: new Map() }
  const app = await buildApp(pages, state)
  t.after(() => app.close())
  const first = await app.inject({ url: `/page/${page.name}`, headers: { 'coilgun-secret': SECRET, 'accept-encoding': 'identity' } })
  state.current.set(page.name, 1)
  const res = await app.inject({ url: `/page/${page.name}`, headers: { 'coilgun-secret': SECRET, 'a-im': 'vcdiff', 'if-none-match': String(first.headers.etag), 'accept-encoding': 'identity' } })
  assert.equal(res.statusCode, 226)
  assert.equal(res.headers.im, 'vcdiff')
  assert.equal(res.headers['delta-base'], first.headers.etag)
  assert.ok(Number(res.headers['content-length']) < page.versions[1]!.length / 10)
})

test('a wrong secret is logged once per interval, not per request', async (t) => {
  const lines: string[] = []
  const app = await buildApp(pages, { current: new Map() }, { options: { logger: { warn: (_o: object, msg: string) => { lines.push(msg) } } } })
  t.after(() => app.close())
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ url: `/page/${page.name}`, headers: { 'coilgun-secret': 'wrong-secret-0123456789' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['repr-digest'], undefined)
  }
  assert.equal(lines.filter(l => /wrong sender secret/.test(l)).length, 1)
})
