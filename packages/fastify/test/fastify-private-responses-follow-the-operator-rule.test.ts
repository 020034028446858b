import assert from 'node:assert/strict'
import { test } from 'node:test'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { buildApp, SECRET } from './app.ts'
import type { AppState } from './app.ts'
import type { CoilgunFastifyOptions } from '@coilgun/fastify'

// Issue 11: the plugin recognises private responses by their headers and by the
// operator's rule (`isPrivate`, `privatePaths`); with `privateDeltas: false` such a
// response is always answered in full, public ones still as deltas.

const pages = versionedPages(2)
const page = pages[0]!

/** What the plugin answers for v2 of `path` to a sender holding v1. */
async function secondAnswer (path: string, options: Partial<CoilgunFastifyOptions>): Promise<string> {
  const state: AppState = { current: new Map([[page.name, 0]]) }
  const app = await buildApp(pages, state, { options })
  try {
    const first = await app.inject({ url: path, headers: { 'coilgun-secret': SECRET, 'accept-encoding': 'identity' } })
    assert.equal(first.statusCode, 200)
    state.current.set(page.name, 1)
    const second = await app.inject({ url: path, headers: { 'coilgun-secret': SECRET, 'accept-encoding': 'identity', 'a-im': 'vcdiff', 'if-none-match': String(first.headers.etag) } })
    return String(second.headers['coilgun-origin'])
  } finally {
    await app.close()
  }
}

test('privateDeltas: false answers private responses in full, by their headers or by the operator\'s rule', async () => {
  const off = { privateDeltas: false }
  assert.equal(await secondAnswer(`/private/${page.name}`, off), 'full', 'Cache-Control private, Set-Cookie, Vary: Cookie')
  assert.equal(await secondAnswer(`/page/${page.name}`, off), 'delta; codec=vcdiff', 'a public page still gets its delta')
  assert.equal(await secondAnswer(`/page/${page.name}`, { ...off, privatePaths: ['/page'] }), 'full', 'privatePaths')
  assert.equal(await secondAnswer(`/page/${page.name}`, { ...off, isPrivate: (request, headers) => request.path.startsWith('/page/') && headers.etag !== undefined }), 'full', 'the isPrivate predicate')
  assert.equal(await secondAnswer(`/page/${page.name}`, { ...off, isPrivate: () => false }), 'delta; codec=vcdiff')
})

test('by default private responses still get deltas from the origin (the sender names only the visitor\'s own base)', async () => {
  assert.match(await secondAnswer(`/private/${page.name}`, {}), /^delta/)
})
