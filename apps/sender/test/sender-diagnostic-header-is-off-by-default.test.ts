import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import { buildApp } from '../../../packages/fastify/test/app.ts'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import type { AppState } from '../../../test/support/originConformance.ts'
import { SECRET } from './harness.ts'

// Issue 11: the `Coilgun` header tells a visitor the outcome and the bytes of the
// delta, which is a compression oracle; it is off by default, and when on it can be
// limited to requests presenting the operator's token. /metrics keeps counting.

const pages = versionedPages(3)
const page = pages[0]!
const TOKEN = 'debug-token-0123456789abcdef'

/** The test origin, recording the headers of every request that reaches it. */
async function startRecordingOrigin (t: TestContext, state: AppState): Promise<{ url: string, seen: Array<Record<string, unknown>> }> {
  const app = await buildApp(pages, state, { plugin: true, compress: false })
  const seen: Array<Record<string, unknown>> = []
  app.addHook('onRequest', function recordHeaders (request, _reply, done) { seen.push({ ...request.headers }); done() })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  return { url, seen }
}

/** A sender configured exactly from `env` (no test defaults for the diagnostic header). */
async function startPlainSender (t: TestContext, upstream: string, env: Record<string, string> = {}): Promise<{ url: string, metrics: () => Promise<string> }> {
  const config = loadSenderConfig({ COILGUN_UPSTREAM: upstream, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'silent', ...env })
  const sender = await buildSender(config, { logger: false })
  const url = await sender.listen()
  t.after(() => sender.close())
  return { url, metrics: () => sender.metrics.registry.getSingleMetricAsString('coilgun_requests_total') }
}

test('by default no answer carries the diagnostic header, and /metrics still counts the outcomes', async (t) => {
  const state: AppState = { current: new Map([[page.name, 0]]) }
  const origin = await startRecordingOrigin(t, state)
  const sender = await startPlainSender(t, origin.url)
  assert.equal(loadSenderConfig({ COILGUN_UPSTREAM: 'http://a:1', COILGUN_SECRET: SECRET }).diagnosticHeader, false)
  for (let i = 0; i < 3; i++) {
    state.current.set(page.name, i)
    for (const path of [`/page/${page.name}`, '/binary', `/optout/${page.name}`]) {
      const res = await rawGet(`${sender.url}${path}`, { 'coilgun-debug': TOKEN })
      assert.equal(res.status, 200)
      assert.equal(res.headers.coilgun, undefined, `${path} v${i + 1}`)
    }
  }
  const metrics = await sender.metrics()
  assert.match(metrics, /coilgun_requests_total\{outcome="full",status_class="2xx"\} 1\b/)
  assert.match(metrics, /coilgun_requests_total\{outcome="delta",status_class="2xx"\} 2\b/)
  assert.match(metrics, /coilgun_requests_total\{outcome="passthrough",status_class="2xx"\} 6\b/)
})

test('with a debug token, only requests that present it get the header; the token never reaches the origin', async (t) => {
  const state: AppState = { current: new Map([[page.name, 0]]) }
  const origin = await startRecordingOrigin(t, state)
  const sender = await startPlainSender(t, origin.url, { COILGUN_DIAGNOSTIC_HEADER: 'on', COILGUN_DIAGNOSTIC_TOKEN: TOKEN })
  for (let i = 0; i < 3; i++) {
    state.current.set(page.name, i)
    const withToken = await rawGet(`${sender.url}/page/${page.name}`, { 'coilgun-debug': TOKEN })
    assert.match(String(withToken.headers.coilgun), i === 0 ? /^full; up=\d+; size=\d+; ut=\d+$/ : /^(delta|not-modified)/)
    for (const presented of [undefined, '', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) {
      const res = await rawGet(`${sender.url}/page/${page.name}`, presented === undefined ? {} : { 'coilgun-debug': presented })
      assert.equal(res.status, 200)
      assert.equal(res.headers.coilgun, undefined, `token ${JSON.stringify(presented)}`)
    }
  }
  const passthrough = await rawGet(`${sender.url}/binary`, { 'coilgun-debug': TOKEN })
  assert.match(String(passthrough.headers.coilgun), /^passthrough/)
  assert.ok(origin.seen.length >= 19)
  for (const headers of origin.seen) assert.equal(headers['coilgun-debug'], undefined, 'the debug token is not forwarded')
})

test('with the header on and no token, every answer carries it (the operator chose so)', async (t) => {
  const state: AppState = { current: new Map([[page.name, 0]]) }
  const origin = await startRecordingOrigin(t, state)
  const sender = await startPlainSender(t, origin.url, { COILGUN_DIAGNOSTIC_HEADER: 'on' })
  assert.match(String((await rawGet(`${sender.url}/page/${page.name}`)).headers.coilgun), /^full/)
})

test('privacy variables are validated with a message naming them', () => {
  const good = { COILGUN_UPSTREAM: 'http://a:1', COILGUN_SECRET: SECRET }
  const bad: Array<[string, Record<string, string>]> = [
    ['COILGUN_DIAGNOSTIC_TOKEN', { COILGUN_DIAGNOSTIC_TOKEN: 'short' }],
    ['COILGUN_DIAGNOSTIC_TOKEN', { COILGUN_DIAGNOSTIC_TOKEN: 'a token with spaces in it' }],
    ['COILGUN_SESSION_COOKIES', { COILGUN_SESSION_COOKIES: 'sid,bad name' }],
    ['COILGUN_PRIVATE_PATHS', { COILGUN_PRIVATE_PATHS: 'account' }],
    ['COILGUN_PRIVATE_PATHS', { COILGUN_PRIVATE_PATHS: '/account?x=1' }],
    ['COILGUN_PRIVATE_DELTAS', { COILGUN_PRIVATE_DELTAS: 'perhaps' }]
  ]
  for (const [name, env] of bad) {
    assert.throws(() => loadSenderConfig({ ...good, ...env }), (err: Error & { code?: string }) => err.code === 'COILGUN_ERR_INVALID_CONFIG' && err.message.startsWith(`${name}: expected `), JSON.stringify(env))
  }
  const config = loadSenderConfig({ ...good, COILGUN_SESSION_COOKIES: 'sid, session,sid', COILGUN_PRIVATE_PATHS: '/account,/cart/', COILGUN_DIAGNOSTIC_TOKEN: TOKEN })
  assert.deepEqual(config.sessionCookies, ['session', 'sid'])
  assert.deepEqual(config.privatePaths, ['/account', '/cart/'])
  assert.equal(config.diagnosticToken, TOKEN)
  assert.equal(config.privateDeltas, true)
})
