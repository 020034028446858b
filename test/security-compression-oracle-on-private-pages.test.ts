import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { parseAvailableDictionary, parseCoilgunETag, parseIfNoneMatch, sha256 } from '@coilgun/core'
import { SECRET, startPair, startSender } from '../apps/sender/test/harness.ts'
import type { AppState } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'

// Issue 11: the compression oracle. A page private to each visitor (a CSRF token,
// a display name the visitor chose) behind the sender. Before the fix the sender
// kept one last version per URL whoever it belonged to, so the attacker's page was
// delta-encoded against the victim's, and the delta's size (`up=` in the public
// diagnostic header) said whether the attacker's guess matched the victim's token.
// Here the victim and the attacker alternate while the attacker guesses; what the
// origin is asked proves it: every base named for the attacker's request is her own
// previous page, or none.

const FILLER = Array.from({ length: 60 }, (_, i) => `<li class="nav-item"><a href="/section/${i}">Section ${i} of the site</a></li>`).join('\n')

interface Session { token: string, name: string }
interface Asked { visitor: string, bases: string[], served: string }

/** The account page of one session: the CSRF token and the chosen name, in a page that compresses. */
function accountPage (s: Session): string {
  return `<!doctype html><html><head><title>Your account</title></head><body>
<ul>${FILLER}</ul>
<form method="post" action="/account"><input type="hidden" name="csrf" value="${s.token}"></form>
<p>Display name: ${s.name}</p>
<ul>${FILLER}</ul></body></html>`
}

/**
 * A Fastify origin with the plugin and a private `/account` (`Cache-Control:
 * private, no-store`, `Vary: Cookie`), recording for each request the versions the
 * sender named as bases and the version served.
 */
async function startAccountOrigin (t: TestContext, sessions: Map<string, Session>): Promise<{ url: string, asked: Asked[] }> {
  const app = Fastify()
  const asked: Asked[] = []
  const pending = new WeakMap<object, string[]>()
  // Registered before the plugin, so it sees the sender's protocol headers before
  // the plugin hides If-None-Match from the application.
  app.addHook('onRequest', function recordNamedBases (request, _reply, done) {
    const named: string[] = []
    for (const tag of parseIfNoneMatch(request.headers['if-none-match']).tags) {
      const hash = parseCoilgunETag(tag.opaque)
      if (hash !== undefined) named.push(hash.toString('hex'))
    }
    const dictionary = parseAvailableDictionary(request.headers['available-dictionary'])
    if (dictionary !== undefined && !named.includes(dictionary.toString('hex'))) named.push(dictionary.toString('hex'))
    pending.set(request.raw, named)
    done()
  })
  await app.register(coilgun, { secret: SECRET })
  app.get('/account', async function account (request, reply) {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.cookie ?? '')?.[1] ?? ''
    const session = sessions.get(sid)
    if (session === undefined) return reply.code(403).send('log in first')
    const body = Buffer.from(accountPage(session))
    asked.push({ visitor: sid, bases: pending.get(request.raw) ?? [], served: sha256(body).toString('hex') })
    return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').header('vary', 'Cookie').send(body)
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  return { url, asked }
}

/**
 * The attack of issue 11: for each candidate of the token's first character, the
 * victim loads her page, then the attacker sets her name to the guess and loads
 * hers. Returns what the attacker observed (status, the diagnostic header without
 * the timing) and what the origin was asked.
 */
async function runAttack (t: TestContext, victimToken: string, env: Record<string, string>): Promise<{ observed: string[], asked: Asked[] }> {
  const sessions = new Map<string, Session>([
    ['victim-session-1', { token: victimToken, name: 'Alice' }],
    ['attacker-session-2', { token: 'ffffffffffffffff', name: 'Mallory' }]
  ])
  const origin = await startAccountOrigin(t, sessions)
  const { sender, url } = await startSender(origin.url, env)
  t.after(() => sender.close())
  const observed: string[] = []
  for (let round = 0; round < 2; round++) {
    for (const guess of '0123456789abcdef') {
      const victim = await rawGet(`${url}/account`, { cookie: 'sid=victim-session-1; _ga=GA1.2.3', 'accept-encoding': 'gzip' })
      assert.equal(victim.status, 200)
      assert.ok(victim.body.includes(victimToken) || victim.headers['content-encoding'] === 'gzip')
      sessions.get('attacker-session-2')!.name = `"><input type="hidden" name="csrf" value="${guess}`
      const attacker = await rawGet(`${url}/account`, { cookie: 'sid=attacker-session-2', 'accept-encoding': 'identity' })
      assert.equal(attacker.status, 200)
      assert.ok(attacker.body.toString().includes(`value="${guess}`), 'the attacker gets her own page')
      assert.ok(!attacker.body.toString().includes(victimToken), 'and never the victim\'s token')
      const diagnostic = attacker.headers.coilgun === undefined ? 'none' : String(attacker.headers.coilgun).replace(/; ut=\d+/, '')
      observed.push(`${attacker.status} ${diagnostic}`)
    }
  }
  return { observed, asked: origin.asked }
}

/** Every base named for a visitor's request is that visitor's own previous page, or none. */
function assertOwnBasesOnly (asked: Asked[]): { ownBases: number } {
  const previous = new Map<string, string>()
  let ownBases = 0
  for (const [i, a] of asked.entries()) {
    const own = previous.get(a.visitor)
    for (const base of a.bases) {
      assert.equal(base, own, `request ${i} of ${a.visitor} named base ${base.slice(0, 12)}, not its own previous page ${own?.slice(0, 12) ?? '(none)'}`)
      ownBases++
    }
    previous.set(a.visitor, a.served)
  }
  return { ownBases }
}

for (const header of ['off', 'on'] as const) {
  test(`diagnostic header ${header}: the attacker's request only ever names her own previous page as base`, async (t) => {
    const { observed, asked } = await runAttack(t, '3f9a0c41d2e8b765', { COILGUN_DIAGNOSTIC_HEADER: header })
    assert.equal(asked.length, 64)
    const { ownBases } = assertOwnBasesOnly(asked)
    // Per-visitor bases still give each visitor deltas against her own last page.
    assert.ok(ownBases >= 56, `only ${ownBases} of 62 repeat requests named the visitor's own base`)
    if (header === 'off') assert.ok(observed.every(o => o === '200 none'), 'no diagnostic header by default')
    else assert.ok(observed.slice(1).every(o => o.startsWith('200 delta')), observed.join('\n'))
  })
}

test('with the diagnostic header on, what the attacker sees does not depend on the victim\'s token', async (t) => {
  // Same attack against two victims whose tokens differ: before the fix the
  // attacker's `up=` followed the victim's token; now her answers are identical.
  const first = await runAttack(t, '3f9a0c41d2e8b765', { COILGUN_DIAGNOSTIC_HEADER: 'on' })
  const second = await runAttack(t, 'a0b1c2d3e4f50617', { COILGUN_DIAGNOSTIC_HEADER: 'on' })
  assert.deepEqual(first.observed, second.observed)
  assert.ok(first.observed.some(o => /up=\d+/.test(o)))
})

test('COILGUN_PRIVATE_DELTAS=off: no base is ever named for a private page', async (t) => {
  const { asked } = await runAttack(t, '3f9a0c41d2e8b765', { COILGUN_PRIVATE_DELTAS: 'off' })
  assert.equal(asked.length, 64)
  assert.deepEqual(asked.filter(a => a.bases.length > 0), [])
})

test('COILGUN_SESSION_COOKIES: a changing analytics cookie does not make a new visitor; another session is one', async (t) => {
  const sessions = new Map<string, Session>([['s1', { token: randomBytes(8).toString('hex'), name: 'Alice' }], ['s2', { token: randomBytes(8).toString('hex'), name: 'Bob' }]])
  const origin = await startAccountOrigin(t, sessions)
  const { sender, url } = await startSender(origin.url, { COILGUN_SESSION_COOKIES: 'sid' })
  t.after(() => sender.close())
  for (let i = 0; i < 6; i++) {
    sessions.get('s1')!.name = `Alice ${i}`
    const res = await rawGet(`${url}/account`, { cookie: `_ga=GA1.2.${i}; sid=s1; _gid=${randomBytes(4).toString('hex')}` })
    assert.equal(res.status, 200)
    assert.ok(res.body.toString().includes(`Alice ${i}`))
  }
  const bob = await rawGet(`${url}/account`, { cookie: '_ga=GA1.2.5; sid=s2' })
  assert.ok(bob.body.toString().includes('Bob'))
  assertOwnBasesOnly(origin.asked)
  assert.deepEqual(origin.asked.map(a => a.bases.length), [0, 1, 1, 1, 1, 1, 0], 'Alice\'s requests 2-6 name her page; Bob names none')
})

test('a visitor without credentials gets no base for a private page', async (t) => {
  const sessions = new Map<string, Session>([['', { token: '0123456789abcdef', name: 'Anonymous' }]])
  const origin = await startAccountOrigin(t, sessions)
  const { sender, url } = await startSender(origin.url)
  t.after(() => sender.close())
  for (let i = 0; i < 4; i++) assert.equal((await rawGet(`${url}/account`)).status, 200)
  assert.deepEqual(origin.asked.map(a => a.bases.length), [0, 0, 0, 0])
})

test('a request with Authorization gets a base of its own and leaves the public page\'s shared base alone', async (t) => {
  const pages = versionedPages(3)
  const page = pages[0]!
  const state: AppState = { current: new Map([[page.name, 0]]) }
  const pair = await startPair(pages, state)
  t.after(pair.close)
  const outcome = async (headers: Record<string, string>): Promise<string> => String((await rawGet(`${pair.url}/page/${page.name}`, headers)).headers.coilgun).split(';')[0]!
  assert.equal(await outcome({}), 'full')
  state.current.set(page.name, 1)
  // The shared base exists, but it is not this visitor's: none is named for her.
  assert.equal(await outcome({ authorization: 'Bearer alice' }), 'full')
  assert.equal(await outcome({}), 'delta', 'the public visitors still share their base')
  state.current.set(page.name, 2)
  assert.equal(await outcome({ authorization: 'Bearer alice' }), 'delta', 'her own previous version is her base')
  assert.equal(await outcome({ authorization: 'Bearer bob' }), 'full', 'another credential has no base')
  assert.equal(await outcome({}), 'delta')
})
