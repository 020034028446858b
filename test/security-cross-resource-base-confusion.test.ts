import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatAvailableDictionary, formatReprDigest, formatStrongETag, loadCodecs } from '@coilgun/core'
import { startFastifyOrigin } from '../packages/fastify/test/app.ts'
import { hashOf, outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import type { AppState } from './support/originConformance.ts'
import { SECRET } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { SenderClient } from './support/senderClient.ts'
import { send } from './support/tamperingProxy.ts'

// Issue 8: the base of one URL used for another. A malicious or buggy origin answers
// URL B with a delta against the version the sender holds for URL A (named as such,
// or passed off as B's), with a 304 naming A's version, or with an RFC 9842 delta
// made on A's version. The sender never applies one URL's base to another: each is
// refused and B is refetched in full. The protocol does allow a sender to name any
// version it holds (the origin's store is content-addressed): then the digest still
// decides, and the page rebuilds exactly. And the real sender, over a long run with
// several URLs, only ever names the version it holds for the URL it asks for.

const pages = versionedPages(6)
const [pageA, pageB] = [pages[0]!, pages[1] ?? pages[0]!]
const pathA = `/page/${pageA.name}`
const pathB = pageB === pageA ? `/page/${pageA.name}?b` : `/page/${pageB.name}`
const versionsB = pageB.versions

test('an answer for one URL built on another URL\'s base is refused and refetched in full', async (t) => {
  const codecs = await loadCodecs()
  const vcdiff = codecs.get('vcdiff')!
  const pair = await startFaultPair(t, pages)
  pair.state.current.set(pageA.name, 2)
  assert.ok((await rawGet(pair.url + pathA)).body.equals(pageA.versions[2]!))
  assert.ok((await rawGet(pair.url + pathB)).body.equals(versionsB[0]!))
  const heldA = pageA.versions[2]!
  const dictionary = [...codecs.values()].filter(c => c.available && c.name !== 'vcdiff')

  const attacks: Array<[string, (next: Buffer) => { status: number, headers: Record<string, string>, body: Buffer }]> = [
    ['a vcdiff delta against A\'s version, named as such', next => ({ status: 226, headers: { im: 'vcdiff', 'delta-base': formatStrongETag(hashOf(heldA)) }, body: Buffer.from(vcdiff.encode(heldA, next)) })],
    ['a vcdiff delta against A\'s version, passed off as B\'s', next => ({ status: 226, headers: { im: 'vcdiff', 'delta-base': 'HELD_B' }, body: Buffer.from(vcdiff.encode(heldA, next)) })],
    ['a 304 naming A\'s version', () => ({ status: 304, headers: { etag: formatStrongETag(hashOf(heldA)), 'repr-digest': formatReprDigest(hashOf(heldA)) }, body: Buffer.alloc(0) })],
    ...dictionary.map(codec => [`a ${codec.name} delta made on A's version`, (next: Buffer) => ({ status: 200, headers: { 'content-encoding': codec.name }, body: Buffer.from(codec.encode(heldA, next)) })] as [string, (next: Buffer) => { status: number, headers: Record<string, string>, body: Buffer }])
  ]
  let index = 0
  for (const [name, forge] of attacks) {
    index++
    const next = versionsB[index]!
    const heldB = pair.held(pathB)!
    pair.state.current.set(pageB.name, index)
    pair.proxy.tamper = (req, real) => {
      if (req.url !== pathB || (req.headers['if-none-match'] === undefined && req.headers['available-dictionary'] === undefined)) return send(real)
      const forged = forge(next)
      const headers: Record<string, string | string[]> = { ...real.headers, etag: formatStrongETag(hashOf(next)), 'repr-digest': formatReprDigest(hashOf(next)), ...forged.headers }
      if (headers['delta-base'] === 'HELD_B') headers['delta-base'] = formatStrongETag(heldB)
      if (forged.status !== 200) delete headers['content-encoding']
      return send({ status: forged.status, headers, body: forged.body })
    }
    const res = await rawGet(pair.url + pathB)
    assert.equal(res.status, 200, name)
    assert.ok(res.body.equals(next), `${name}: B's own page, refetched`)
    assert.equal(outcomeOf(res), 'fallback', name)
    assert.match(whyOf(res) ?? '', /^COILGUN_ERR_(DELTA_CORRUPT|VERIFY_FAILED|DICTIONARY_MISMATCH)$/, name)
    assert.ok(pair.held(pathB)?.equals(hashOf(next)))
    assert.ok(pair.held(pathA)?.equals(hashOf(heldA)), 'A\'s base is untouched')
  }
})

test('naming another URL\'s version is allowed by the protocol only because the digest still decides', async (t) => {
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  t.after(origin.close)
  const client = await SenderClient.create(origin.url, SECRET, ['vcdiff'])
  // Another URL serving the same document: the natural case of a shared base.
  const copy = `${pathA}?copy`
  await client.get(pathA)
  state.current.set(pageA.name, 1)
  // A sender that names A's version for the copy: the origin may build on it, and the result verifies.
  client.held.set(copy, client.held.get(pathA)!)
  const res = await client.get(copy)
  assert.equal(res.rebuilt.kind, 'delta')
  assert.equal(res.headers['delta-base'], formatStrongETag(hashOf(pageA.versions[0]!)))
  assert.ok(Buffer.from(res.rebuilt.body).equals(pageA.versions[1]!))
})

test('over a run with several URLs, the sender only names the version it holds for the URL it asks for', async (t) => {
  const pair = await startFaultPair(t, pages)
  const paths = [...pages.map(p => `/page/${p.name}`), `/page/${pageA.name}?copy`]
  const lastServed = new Map<string, Buffer>()
  let named = 0
  for (let round = 0; round < 5; round++) {
    for (const p of pages) pair.state.current.set(p.name, (round * 2 + p.name.length) % p.versions.length)
    for (const path of [...paths].reverse()) {
      const before = pair.proxy.log.length
      const res = await rawGet(pair.url + path)
      assert.equal(res.status, 200)
      // The base is named by If-None-Match, Available-Dictionary or both (one codec
      // family per resource, PROTOCOL.md): whichever is there names this URL's version.
      const { 'if-none-match': tag, 'available-dictionary': dictionary } = pair.proxy.log[before]!.headers
      const last = lastServed.get(path)
      if (last === undefined) assert.deepEqual([tag, dictionary], [undefined, undefined], `${path}: a first request names no base`)
      else {
        assert.ok(tag !== undefined || dictionary !== undefined, `${path}: names a base`)
        if (tag !== undefined) assert.equal(tag, formatStrongETag(hashOf(last)), `${path}: names the version last served for this URL`)
        if (dictionary !== undefined) assert.equal(dictionary, formatAvailableDictionary(hashOf(last)), `${path}: names the version last served for this URL`)
        named++
      }
      lastServed.set(path, res.body)
    }
  }
  assert.ok(named >= 4 * paths.length)
})
