import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import Fastify from 'fastify'
import { request } from 'undici'
import coilgun from '@coilgun/fastify'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { loadCodecs } from '@coilgun/core'
import type { CodecName } from '@coilgun/core'
import { SenderClient } from './support/senderClient.ts'
import { SECRET, startSender } from '../apps/listener/test/harness.ts'

// Issue 17, the header diet: a sender asks with `Want-Repr-Digest: sha-256=0` (RFC 9530
// section 4) and the origin names the new version once, by its strong cg- ETag,
// leaving out Repr-Digest, Delta-Base and Coilgun-Origin. A client that does not ask
// (a sender of 0.1, curl) still gets every header; a new sender behind an origin that
// ignores the request still verifies; an answer whose ETag lies is never served.

interface LinkExchange { request: IncomingHttpHeaders, status: number, response: Record<string, string | string[] | undefined> }

interface Link {
  url: string
  exchanges: LinkExchange[]
  /** Rewrites each request's headers before the origin sees them. */
  editRequest: (h: IncomingHttpHeaders) => void
  /** Rewrites each answer's headers before the sender sees them. */
  editAnswer: (h: Record<string, string | string[] | undefined>) => void
}

/** An HTTP/1.1 hop between sender and origin that records (and may edit) both header sets. */
async function recordingLink (t: TestContext, origin: string): Promise<Link> {
  const link: Link = { url: '', exchanges: [], editRequest: () => {}, editAnswer: () => {} }
  const server = createServer((req, res) => {
    void (async () => {
      const headers = { ...req.headers }
      delete headers.connection
      delete headers['keep-alive']
      link.editRequest(headers)
      const up = await request(origin + (req.url ?? '/'), { method: req.method as 'GET', headers: headers as Record<string, string> })
      const body = Buffer.from(await up.body.arrayBuffer())
      const answer = { ...up.headers } as Record<string, string | string[] | undefined>
      delete answer.connection
      delete answer['keep-alive']
      delete answer['transfer-encoding']
      link.editAnswer(answer)
      link.exchanges.push({ request: headers, status: up.statusCode, response: answer })
      res.writeHead(up.statusCode, { ...answer, 'content-length': String(body.length) } as Record<string, string | string[]>)
      res.end(body)
    })().catch(err => { res.destroy(err as Error) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  link.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return link
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
/** Bytes of the header lines in HTTP/1.1 form. */
function headerBytes (h: Record<string, string | string[] | undefined>): number {
  let n = 0
  for (const [name, value] of Object.entries(h)) for (const v of value === undefined ? [] : [value].flat()) n += name.length + 2 + v.length + 2
  return n
}
const isDelta = (e: LinkExchange): boolean => e.status === 226 || e.response['content-encoding'] === 'dcz' || e.response['content-encoding'] === 'dcb'

interface PluginOrigin { url: string, pages: ReturnType<typeof versionedPages>, setVersion: (v: number) => void, unrelatedNext: () => void }

async function pluginOrigin (t: TestContext, codecs?: CodecName[]): Promise<PluginOrigin> {
  const pages = versionedPages(5)
  let version = 0
  let unrelated: Buffer | undefined
  const origin = Fastify()
  await origin.register(coilgun, { secret: SECRET, ...(codecs === undefined ? {} : { codecs }) })
  origin.get<{ Params: { name: string } }>('/page/:name', async function page (req, reply) {
    const p = pages.find(x => x.name === req.params.name)!
    const body = unrelated ?? p.versions[version % p.versions.length]
    unrelated = undefined
    return reply.type(p.contentType).header('cache-control', 'no-cache').send(body)
  })
  const url = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  // The next answer is bytes no delta can help with: the origin sends it in full.
  return { url, pages, setVersion: v => { version = v }, unrelatedNext: () => { unrelated = randomBytes(200_000) } }
}

test('a sender gets lean answers: each version named once, by its ETag, and every page rebuilt exactly', async (t) => {
  const origin = await pluginOrigin(t)
  const link = await recordingLink(t, origin.url)
  const { sender, url } = await startSender(link.url)
  t.after(() => sender.close())
  for (let v = 0; v < 5; v++) {
    origin.setVersion(v)
    for (const p of origin.pages) {
      const r = await request(`${url}/page/${p.name}`, { headers: { 'user-agent': 'curl/8.5.0', accept: '*/*' } })
      assert.equal(sha(Buffer.from(await r.body.arrayBuffer())), sha(p.versions[v]!), `${p.name} version ${v}`)
    }
  }
  const deltas = link.exchanges.filter(isDelta)
  assert.ok(deltas.length >= 8, `deltas on the link: ${deltas.length}`)
  for (const e of link.exchanges) {
    assert.equal(e.request['want-repr-digest'], 'sha-256=0')
    assert.match(String(e.response.etag), /^"cg-[\w-]{43}"$/)
    for (const name of ['repr-digest', 'delta-base', 'coilgun-origin']) assert.equal(e.response[name], undefined, `${name} on a lean ${e.status}`)
  }
})

test('a client that does not ask for the lean answer (a 0.1 sender) still gets Repr-Digest, Delta-Base and Coilgun-Origin', async (t) => {
  const origin = await pluginOrigin(t)
  const client = await SenderClient.create(origin.url, SECRET, ['vcdiff'])
  const name = origin.pages[0]!.name
  await client.get(`/page/${name}`)
  origin.setVersion(1)
  const verbose = await client.get(`/page/${name}`)
  assert.equal(verbose.status, 226)
  assert.match(String(verbose.headers['repr-digest']), /^sha-256=:/)
  assert.match(String(verbose.headers['delta-base']), /^"cg-/)
  assert.match(String(verbose.headers['coilgun-origin']), /^delta; codec=vcdiff/)

  // The same exchange, lean: exactly those three lines fewer, the rest unchanged.
  const lean = await request(`${origin.url}/page/${name}`, { headers: { 'coilgun-secret': SECRET, 'want-repr-digest': 'sha-256=0', 'a-im': 'vcdiff, gzip', 'if-none-match': String(verbose.headers['delta-base']), 'accept-encoding': 'br, gzip' } })
  await lean.body.arrayBuffer()
  const leanHeaders = lean.headers as Record<string, string | string[] | undefined>
  assert.equal(lean.statusCode, 226)
  const dropped = headerBytes({ 'repr-digest': verbose.headers['repr-digest'], 'delta-base': verbose.headers['delta-base'], 'coilgun-origin': verbose.headers['coilgun-origin'] })
  const withoutLength = (h: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> => ({ ...h, 'content-length': undefined, date: undefined })
  assert.equal(headerBytes(withoutLength(leanHeaders)), headerBytes(withoutLength(verbose.headers)) - dropped)
})

test('behind an origin that ignores the request (verbose answers), a new sender still rebuilds and verifies every page', async (t) => {
  const origin = await pluginOrigin(t)
  const link = await recordingLink(t, origin.url)
  link.editRequest = h => { delete h['want-repr-digest'] }
  const { sender, url } = await startSender(link.url)
  t.after(() => sender.close())
  for (let v = 0; v < 4; v++) {
    origin.setVersion(v)
    for (const p of origin.pages) {
      const r = await request(`${url}/page/${p.name}`)
      assert.equal(sha(Buffer.from(await r.body.arrayBuffer())), sha(p.versions[v]!), `${p.name} version ${v}`)
    }
  }
  assert.ok(link.exchanges.filter(isDelta).length >= 6)
  assert.ok(link.exchanges.every(e => e.response['repr-digest'] !== undefined), 'verbose answers on the link')
})

test('the ETag is the only name of a lean answer: one that names another version is never served', async (t) => {
  const origin = await pluginOrigin(t)
  const link = await recordingLink(t, origin.url)
  const { sender, url } = await startSender(link.url)
  t.after(() => sender.close())
  const p = origin.pages[0]!
  await (await request(`${url}/page/${p.name}`)).body.arrayBuffer()
  origin.setVersion(1)
  // From now on every answer claims to be version 0 (what the sender already holds).
  const heldTag = String(link.exchanges[0]!.response.etag)
  link.editAnswer = h => { if (h.etag !== undefined) h.etag = heldTag }
  const r = await request(`${url}/page/${p.name}`)
  const body = Buffer.from(await r.body.arrayBuffer())
  // Either the correct page or an honest 5xx: never version 0 presented as current,
  // never bytes that are neither version.
  if (r.statusCode === 200) assert.equal(sha(body), sha(p.versions[1]!))
  else assert.ok(r.statusCode >= 500, `status ${r.statusCode}`)
  assert.notEqual(sha(body), sha(p.versions[0]!))
})

const dictionaryCodecs = [...(await loadCodecs(['dcz', 'dcb'])).values()].filter(c => c.available).map(c => c.name)
const noDictionaryCodecs = dictionaryCodecs.length === 0 ? `this Node (${process.version}) has no dcz or dcb` : false
const names = (e: LinkExchange): { inm: boolean, dictionary: boolean } => ({ inm: e.request['if-none-match'] !== undefined, dictionary: e.request['available-dictionary'] !== undefined })

test('after a delta the base is named once, in the family that brought it (vcdiff alone until the origin shows dictionary codecs); after a full page both families are offered again', { skip: noDictionaryCodecs }, async (t) => {
  const origin = await pluginOrigin(t)
  const link = await recordingLink(t, origin.url)
  const { sender, url } = await startSender(link.url)
  t.after(() => sender.close())
  let dictionarySeen = false
  for (const p of origin.pages) {
    const get = async (v: number, unrelated = false): Promise<LinkExchange> => {
      origin.setVersion(v)
      if (unrelated) origin.unrelatedNext()
      const r = await request(`${url}/page/${p.name}`)
      const body = Buffer.from(await r.body.arrayBuffer())
      if (!unrelated) assert.equal(sha(body), sha(p.versions[v]!), `${p.name} version ${v}`)
      return link.exchanges.at(-1)!
    }
    await get(0)
    const first = await get(1)
    assert.deepEqual(names(first), { inm: true, dictionary: true }, `${p.name}: nothing learnt yet, both families`)
    assert.ok(isDelta(first), `${p.name}: a delta`)
    // vcdiff wins some pages (a 226), dcz/dcb others: the next request names the base
    // only the way that family needs; after vcdiff, both once the origin has shown
    // (on any page) that it has the dictionary codecs.
    if (first.status !== 226) dictionarySeen = true
    const family: { inm: boolean, dictionary: boolean } = first.status !== 226 ? { inm: false, dictionary: true } : dictionarySeen ? { inm: true, dictionary: true } : { inm: true, dictionary: false }
    const next = await get(2)
    assert.deepEqual(names(next), family, `${p.name}: after a ${first.status === 226 ? 'vcdiff' : String(first.response['content-encoding'])} delta`)
    assert.equal(next.request['a-im'] !== undefined, family.inm)
    assert.equal(/dc[zb]/.test(String(next.request['accept-encoding'])), family.dictionary)
    assert.ok(isDelta(next), `${p.name}: still a delta`)
    if (next.status !== 226) dictionarySeen = true
    const full = await get(2, true)
    assert.equal(isDelta(full), false, 'unrelated bytes come in full')
    assert.deepEqual(names(await get(3)), { inm: true, dictionary: true }, `${p.name}: after a full page, both families again`)
  }
})

test('behind an origin without dictionary codecs, after a vcdiff delta the request offers vcdiff alone', { skip: noDictionaryCodecs }, async (t) => {
  const origin = await pluginOrigin(t, ['vcdiff'])
  const link = await recordingLink(t, origin.url)
  const { sender, url } = await startSender(link.url)
  t.after(() => sender.close())
  const p = origin.pages[0]!
  for (let v = 0; v < 4; v++) {
    origin.setVersion(v)
    const r = await request(`${url}/page/${p.name}`)
    assert.equal(sha(Buffer.from(await r.body.arrayBuffer())), sha(p.versions[v]!))
  }
  const [, firstDelta, ...later] = link.exchanges
  assert.deepEqual(names(firstDelta!), { inm: true, dictionary: true })
  assert.equal(firstDelta!.status, 226)
  for (const e of later) {
    assert.deepEqual(names(e), { inm: true, dictionary: false })
    assert.doesNotMatch(String(e.request['accept-encoding']), /dc[zb]/)
    assert.equal(e.status, 226)
  }
})
