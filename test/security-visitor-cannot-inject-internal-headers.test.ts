import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { formatAvailableDictionary, formatStrongETag, INTERNAL_HEADERS } from '@coilgun/core'
import { hashOf, outcomeOf, startFaultPair } from './support/faultPair.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawExchange } from './support/rawHttp.ts'
import { rawGet } from '@coilgun/fixtures/senderClient'

// Issue 8: a visitor sends every internal header of the protocol (a guessed secret,
// A-IM, If-None-Match naming another page's version, Delta-Base, Repr-Digest, IM,
// Available-Dictionary, the Coilgun-* headers), in any case, repeated, or listed in
// Connection. What reaches the origin is the sender's own protocol headers only,
// naming the version the sender holds for that URL; the visitor gets the exact page.

const pages = versionedPages(5)
const [page, another] = [pages[0]!, pages[1] ?? pages[0]!]
const path = `/page/${page.name}`
const foreignTag = formatStrongETag(hashOf(another.versions[3]!))

const FORGED: Record<string, string> = {
  'coilgun-secret': 'visitor-guess-0123456789abcdef',
  'a-im': 'vcdiff;q=1, diffe, gzip',
  'if-none-match': foreignTag,
  'delta-base': foreignTag,
  im: 'vcdiff',
  'repr-digest': `sha-256=:${hashOf(another.versions[3]!).toString('base64')}:`,
  'available-dictionary': formatAvailableDictionary(hashOf(another.versions[3]!)),
  'dictionary-id': '"x"',
  'use-as-dictionary': 'match="/*"',
  'coilgun-origin': 'delta; codec=vcdiff',
  'coilgun-origin-etag': '"forged"',
  'coilgun-listener': 'full',
  connection: 'coilgun-secret, a-im'
}

test('forged protocol headers never reach the origin; the sender names only its own base', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  for (let i = 1; i < page.versions.length; i++) {
    const held = pair.held(path)!
    pair.state.current.set(page.name, i)
    const before = pair.proxy.log.length
    const res = await rawGet(pair.url + path, FORGED)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1}: the visitor gets the page itself`)
    assert.equal(outcomeOf(res), 'delta')
    for (const name of INTERNAL_HEADERS) assert.equal(res.headers[name], undefined, `${name} reached the visitor`)
    assert.equal(res.headers.etag, `"app-${i}"`, 'the visitor sees the application\'s ETag')

    const upstream = pair.proxy.log.slice(before)
    assert.equal(upstream.length, 1, 'one upstream request, no refetch')
    const h = upstream[0]!.headers
    assert.equal(h['coilgun-secret'], SECRET)
    assert.equal(h['a-im'], 'vcdiff, gzip')
    assert.equal(h['if-none-match'], formatStrongETag(held), 'only the version held for this URL is named')
    assert.ok(h['available-dictionary'] === undefined || h['available-dictionary'] === formatAvailableDictionary(held))
    for (const name of ['delta-base', 'im', 'repr-digest', 'dictionary-id', 'use-as-dictionary', 'coilgun-origin', 'coilgun-origin-etag', 'coilgun-listener']) {
      assert.equal(h[name], undefined, `the visitor's ${name} reached the origin`)
    }
  }
})

test('raw requests: mixed case, repeated and Connection-listed internal headers are dropped the same way', async (t) => {
  const pair = await startFaultPair(t, pages)
  const before = pair.proxy.log.length
  const answer = await rawExchange(pair.url, [
    `GET ${path} HTTP/1.1`, `Host: ${new URL(pair.url).host}`,
    'COILGUN-SECRET: guess-one-0123456789abcdef', 'Coilgun-Secret: guess-two-0123456789abcdef',
    `Delta-Base: ${foreignTag}`, `DELTA-BASE: ${foreignTag}`, 'Im: vcdiff', 'A-Im: vcdiff', 'Connection: close, Coilgun-Secret', '', ''
  ].join('\r\n'))
  assert.deepEqual(answer.statuses, [200])
  assert.ok(answer.text.endsWith(page.versions[0]!.toString('latin1')))
  const h = pair.proxy.log[before]!.headers
  assert.equal(h['coilgun-secret'], SECRET)
  assert.equal(h['delta-base'], undefined)
  assert.equal(h.im, undefined)
})

test('passthrough requests (a POST) carry no protocol header at all, forged or the sender\'s', async (t) => {
  const pair = await startFaultPair(t, pages)
  // The tampering proxy answers any method with the origin's GET; what matters is what it received.
  const res = await request(`${pair.url}/echo`, { method: 'POST', headers: { ...FORGED, connection: 'keep-alive', 'content-type': 'application/json' }, body: '{}' })
  await res.body.dump()
  const h = pair.proxy.log.at(-1)!.headers
  for (const name of INTERNAL_HEADERS) assert.equal(h[name], undefined, `${name} reached the origin on a passthrough request`)
})
