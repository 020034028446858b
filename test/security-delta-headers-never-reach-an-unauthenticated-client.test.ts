import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { formatAvailableDictionary, formatStrongETag, INTERNAL_HEADERS } from '@coilgun/core'
import { startListener } from '../apps/listener/test/harness.ts'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import { hashOf, isDelta, outcomeOf, startFaultPair } from './support/faultPair.ts'
import type { AppState } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { SenderClient } from './support/senderClient.ts'
import { send } from './support/tamperingProxy.ts'

// Issue 8: delta and version headers for someone without the secret. A client that
// talks to the listener directly and knows (or guesses) the hash of the version the
// listener holds asks for a delta or a 304 in every protocol form; it gets exactly the
// origin's response, with no version tag, digest or delta. Behind the sender, no
// outcome (delta, full, not-modified, fallback, passthrough, error) ever shows a
// visitor a protocol header or a Coilgun version tag. (The plugin and the Express
// middleware are held to the same by the origin conformance suite of issue 3.)

const pages = versionedPages(4)
const page = pages[0]!
const path = `/page/${page.name}`

/** Headers that would tell a client it got a Coilgun answer. */
function assertNoProtocolHeaders (headers: Record<string, string | string[] | undefined>, what: string): void {
  for (const name of INTERNAL_HEADERS) {
    if (name === 'coilgun-listener') continue
    assert.equal(headers[name], undefined, `${what}: ${name}`)
  }
  assert.ok(!String(headers.etag ?? '').includes('cg-'), `${what}: a Coilgun version tag`)
}

test('a client of the listener without the secret gets the origin\'s own response, whatever it asks for', async (t) => {
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
  t.after(origin.close)
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin.url })
  t.after(() => listener.close())
  // A real sender makes the listener hold versions 0 and 1.
  const sender = await SenderClient.create(url, SECRET)
  await sender.get(path)
  state.current.set(page.name, 1)
  await sender.get(path)
  const held = hashOf(page.versions[0]!)
  const current = hashOf(page.versions[1]!)

  const direct = await rawGet(origin.url + path)
  const attacks: Array<[string, Record<string, string>]> = [
    ['A-IM and the tag of a held version', { 'a-im': 'vcdiff, gzip', 'if-none-match': formatStrongETag(held) }],
    ['A-IM and the tag of the current version', { 'a-im': 'vcdiff', 'if-none-match': formatStrongETag(current) }],
    ['a dictionary the listener holds', { 'accept-encoding': 'dcz, dcb, gzip', 'available-dictionary': formatAvailableDictionary(held) }],
    ['a wrong secret', { 'coilgun-secret': 'wrong-secret-0123456789abcdef', 'a-im': 'vcdiff', 'if-none-match': formatStrongETag(held) }],
    ['the secret minus its last character', { 'coilgun-secret': SECRET.slice(0, -1), 'a-im': 'vcdiff', 'if-none-match': formatStrongETag(current) }],
    ['the secret in upper case', { 'coilgun-secret': SECRET.toUpperCase(), 'a-im': 'vcdiff', 'if-none-match': formatStrongETag(held) }],
    ['the secret twice over', { 'coilgun-secret': SECRET + SECRET, 'a-im': 'vcdiff', 'if-none-match': formatStrongETag(held) }]
  ]
  for (const [name, headers] of attacks) {
    const res = await rawGet(url + path, headers)
    assert.equal(res.status, direct.status, name)
    assert.ok(res.body.equals(direct.body), `${name}: not the origin's bytes`)
    assert.equal(res.headers.etag, direct.headers.etag, name)
    assertNoProtocolHeaders(res.headers, name)
    // The listener's diagnostic header says "passthrough" and carries no version.
    assert.match(String(res.headers['coilgun-listener']), /^passthrough; ot=\d+$/, name)
  }
})

test('no outcome of the sender shows a visitor a protocol header or a version tag', async (t) => {
  const pair = await startFaultPair(t, pages)
  const seen = new Set<string>()
  async function visit (url: string, headers: Record<string, string> = {}): Promise<void> {
    const res = await rawGet(url, headers)
    seen.add(res.status === 502 ? 'error' : outcomeOf(res))
    assertNoProtocolHeaders(res.headers, `${url} ${res.status} ${String(res.headers.coilgun)}`)
  }
  await visit(pair.url + path) // full
  await visit(pair.url + path, { 'if-none-match': '"app-0"' }) // not-modified, 304 to the visitor
  pair.state.current.set(page.name, 1)
  await visit(pair.url + path) // delta
  await visit(`${pair.url}/binary`) // passthrough
  pair.proxy.tamper = (_req, real) => send(isDelta(real) ? { ...real, body: randomBytes(real.body.length) } : real)
  pair.state.current.set(page.name, 2)
  await visit(pair.url + path) // fallback
  pair.proxy.tamper = (_req, real) => send({ ...real, body: randomBytes(real.body.length + 1) })
  pair.state.current.set(page.name, 3)
  await visit(pair.url + path) // error
  assert.deepEqual([...seen].sort(), ['delta', 'error', 'fallback', 'full', 'not-modified', 'passthrough'])
})
