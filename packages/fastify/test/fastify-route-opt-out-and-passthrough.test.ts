import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { buildApp, SECRET } from './app.ts'
import type { AppState } from './app.ts'

// Issue 3: what must pass through untouched even for a sender (binary types, HEAD,
// POST), the secret never reaching the app, and option validation.

const pages = versionedPages(2)
const page = pages[0]!

test('binary types, HEAD and POST from a sender pass through', async (t) => {
  const state: AppState = { current: new Map() }
  const app = await buildApp(pages, state)
  t.after(() => app.close())
  const bin = await app.inject({ url: '/binary', headers: { 'coilgun-secret': SECRET, 'a-im': 'vcdiff' } })
  assert.equal(bin.statusCode, 200)
  assert.equal(bin.headers['repr-digest'], undefined)
  assert.equal(bin.rawPayload.length, 50_000)
  const head = await app.inject({ method: 'HEAD', url: `/page/${page.name}`, headers: { 'coilgun-secret': SECRET } })
  assert.equal(head.headers['repr-digest'], undefined)
  const post = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 }, headers: { 'coilgun-secret': SECRET } })
  assert.deepEqual(post.json(), { got: { a: 1 } })
  assert.equal(post.headers['repr-digest'], undefined)
})

test('the app never sees the secret header', async (t) => {
  const app = Fastify()
  await app.register(coilgun, { secret: SECRET })
  app.get('/headers', async (request) => ({ names: Object.keys(request.headers) }))
  t.after(() => app.close())
  const res = await app.inject({ url: '/headers', headers: { 'coilgun-secret': SECRET } })
  assert.ok(!(res.json() as { names: string[] }).names.includes('coilgun-secret'))
})

test('invalid options fail registration with a coded error naming the option', async () => {
  const cases: Array<[Record<string, unknown>, RegExp, string]> = [
    [{}, /secret/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: 'short' }, /secret/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, codecs: ['bsdiff'] }, /bsdiff/, 'COILGUN_ERR_UNKNOWN_CODEC'],
    [{ secret: SECRET, maxBodyBytes: -5 }, /maxBodyBytes/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, storeTimeoutMs: -1 }, /storeTimeoutMs/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, storeMaxBytes: 10 }, /storeMaxBytes/, 'COILGUN_ERR_INVALID_OPTION']
  ]
  for (const [options, message, code] of cases) {
    const app = Fastify()
    await assert.rejects(async () => { await app.register(coilgun, options as never); await app.ready() }, { code, message })
    await app.close().catch(() => {})
  }
  const app = Fastify()
  await app.register(coilgun, { secret: SECRET })
  assert.throws(() => app.get('/x', { config: { coilgun: 'no' as never } }, async () => 'x'), { code: 'COILGUN_ERR_INVALID_OPTION', message: /config\.coilgun/ })
  await app.close()
})
