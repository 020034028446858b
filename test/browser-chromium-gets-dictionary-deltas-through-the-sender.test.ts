import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import zlib from 'node:zlib'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { createDcbCodec, createDczCodec } from '@coilgun/core'
import { startSender, SECRET } from '../apps/sender/test/harness.ts'
import { chromiumMissing, certutilMissing, launchChromium, loadDocument } from './support/chromium.ts'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { makePki } from '@coilgun/fixtures/pki'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 18: a returning Chromium visitor gets the next version of a dynamic page as
// an RFC 9842 dictionary-compressed delta through coilgun-sender, verified by the
// SHA-256 of the document Chromium decoded, over http://localhost and over HTTPS
// with a test CA (Chromium only advertises dictionaries in a secure context).

// Visitor dictionaries need dcb (Node 24) or dcz (Node 22.19): either is enough.
const NO_DICTIONARY_CODECS = createDcbCodec().available || createDczCodec().available ? undefined : `dcb/dcz need Node >= 22.19 (this is ${process.versions.node})`
const skipBrowser = NO_DICTIONARY_CODECS ?? chromiumMissing() ?? false

function sha256 (b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Three consecutive versions of an HTML page that is valid UTF-8 (the document hash compares bytes). */
function pageVersions (): Buffer[] {
  if (corpusAvailable()) {
    for (const set of listCorpusSets()) {
      if (!set.files[0]!.endsWith('.html')) continue
      const versions = readVersions(set, 3)
      if (versions.length === 3 && versions.every(v => Buffer.from(v.toString('utf8')).equals(v)) && new Set(versions.map(sha256)).size === 3) return versions
    }
  }
  return syntheticVersions(3, 150_000).map(v => Buffer.concat([Buffer.from('<!doctype html><html><body><pre>'), Buffer.from(v.toString('utf8').replace(/[<&]/g, '.')), Buffer.from('</pre></body></html>')]))
}

interface Origin { url: string, setVersion (i: number): void, close (): Promise<void> }

/** A Fastify app with the plugin: a public dynamic page and a private one. */
async function startOrigin (versions: Buffer[]): Promise<Origin> {
  let current = 0
  const app = Fastify()
  await app.register(coilgun, { secret: SECRET })
  app.get('/news/front', async function front (_request, reply) {
    reply.header('content-type', 'text/html; charset=utf-8')
    reply.header('cache-control', 'no-cache')
    return reply.send(versions[current])
  })
  app.get('/news/other', async function other (_request, reply) {
    reply.header('content-type', 'text/html; charset=utf-8')
    return reply.send(Buffer.concat([Buffer.from('<!-- other -->'), versions[(current + 1) % versions.length]!]))
  })
  app.get('/account', async function account (_request, reply) {
    reply.header('content-type', 'text/html; charset=utf-8')
    reply.header('cache-control', 'private, no-cache')
    reply.header('vary', 'Cookie')
    return reply.send(versions[current])
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, setVersion (i) { current = i }, close: () => app.close() }
}

async function returningVisitor (t: TestContext, scheme: 'http' | 'https'): Promise<void> {
  const versions = pageVersions()
  const origin = await startOrigin(versions)
  t.after(() => origin.close())
  const pki = scheme === 'https' ? makePki() : undefined
  const { sender, url } = await startSender(origin.url, {
    COILGUN_VISITOR_DICTIONARIES: 'on',
    COILGUN_VISITOR_DICTIONARY_SWR: '60',
    ...(pki === undefined ? {} : { COILGUN_TLS_CERT: pki.serverCert, COILGUN_TLS_KEY: pki.serverKey })
  })
  t.after(() => sender.close())
  const chromium = await launchChromium(pki === undefined ? {} : { trustCa: pki.ca })
  t.after(() => chromium.close())
  const page = await chromium.browser.newPage()
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  const pageUrl = `${scheme}://localhost:${new URL(url).port}/news/front`

  const first = await loadDocument(page, cdp, pageUrl)
  assert.equal(first.status, 200)
  assert.equal(first.sha256, sha256(versions[0]!), 'the first visit is the first version')
  assert.match(first.headers['use-as-dictionary'] ?? '', /^match="\/news\/front"$/, 'the page is offered as a dictionary for its own path')
  if (scheme === 'https') assert.equal(first.protocol, 'h2', 'HTTPS visitors speak HTTP/2')

  for (const next of [1, 2]) {
    origin.setVersion(next)
    const load = await loadDocument(page, cdp, pageUrl)
    const brotli = zlib.brotliCompressSync(versions[next]!, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }).length
    t.diagnostic(`${scheme} version ${next + 1}: ${load.headers['content-encoding']} ${load.encodedBytes} B on the wire for a ${load.decodedBytes} B page (brotli 4: ${brotli} B)`)
    assert.equal(load.requestHeaders['available-dictionary'], `:${createHash('sha256').update(versions[next - 1]!).digest('base64')}:`, 'Chromium names the version it holds')
    assert.ok(load.headers['content-encoding'] === 'dcb' || load.headers['content-encoding'] === 'dcz', `a dictionary-compressed answer (got ${load.headers['content-encoding']})`)
    assert.match(load.headers.vary ?? '', /available-dictionary/i)
    assert.equal(load.sha256, sha256(versions[next]!), 'the document Chromium decoded is the new version, byte for byte')
    assert.ok(load.encodedBytes < brotli / 3, `the delta (${load.encodedBytes} B with headers) is a small fraction of the brotli page (${brotli} B)`)
  }
}

test('Chromium returning over http://localhost gets the next version as a verified dictionary delta', { skip: skipBrowser }, async (t) => {
  await returningVisitor(t, 'http')
})

test('Chromium returning over HTTPS (HTTP/2, test CA in an NSS database) gets the next version as a verified dictionary delta', { skip: skipBrowser || (certutilMissing() ?? false) }, async (t) => {
  await returningVisitor(t, 'https')
})

test('no dictionary, a forged or unknown one, another URL\'s, or a private page: the normal compressed page', { skip: NO_DICTIONARY_CODECS ?? false }, async (t) => {
  const versions = pageVersions()
  const origin = await startOrigin(versions)
  t.after(() => origin.close())
  const { sender, url } = await startSender(origin.url, { COILGUN_VISITOR_DICTIONARIES: 'on' })
  t.after(() => sender.close())
  const sf = (b: Uint8Array): string => `:${Buffer.from(b).toString('base64')}:`
  async function get (path: string, dictionary?: string): Promise<{ status: number, coding: string | undefined, body: Buffer, headers: Headers }> {
    const res = await fetch(url + path, { headers: { 'accept-encoding': 'br, gzip, dcb, dcz', ...(dictionary === undefined ? {} : { 'available-dictionary': dictionary }) } })
    const raw = Buffer.from(await res.arrayBuffer())
    // fetch does not decode dcb/dcz; br/gzip it has already decoded.
    return { status: res.status, coding: res.headers.get('content-encoding') ?? undefined, body: raw, headers: res.headers }
  }
  // Seed: the front page, the other page and the private page are each seen once.
  const front0 = await get('/news/front')
  const other0 = await get('/news/other')
  const private0 = await get('/account')
  assert.equal(private0.headers.get('use-as-dictionary'), null, 'a private page is never offered as a dictionary')
  assert.notEqual(front0.headers.get('use-as-dictionary'), null)
  origin.setVersion(1)
  const cases: Array<[string, string, string | undefined]> = [
    ['no dictionary', '/news/front', undefined],
    ['a forged hash', '/news/front', sf(createHash('sha256').update('nothing the sender holds').digest())],
    ['not an sf-binary', '/news/front', 'abc'],
    ['a hash of the wrong length', '/news/front', sf(Buffer.alloc(16, 1))],
    ['another URL\'s version', '/news/front', sf(createHash('sha256').update(other0.body).digest())],
    ['the private page\'s own previous version', '/account', sf(createHash('sha256').update(versions[0]!).digest())]
  ]
  for (const [what, path, dictionary] of cases) {
    const res = await get(path, dictionary)
    assert.equal(res.status, 200, what)
    assert.ok(res.coding === 'br' || res.coding === undefined, `${what}: an ordinary coding (got ${res.coding})`)
    const expected = path === '/account' ? versions[1]! : versions[1]!
    assert.equal(sha256(res.body), sha256(expected), `${what}: the current version`)
  }
  // Control: the front page's own previous version does give a delta.
  const delta = await get('/news/front', sf(createHash('sha256').update(versions[0]!).digest()))
  assert.ok(delta.coding === 'dcb' || delta.coding === 'dcz', 'the control gets a dictionary answer')
})

test('the visitor dictionary history stays within the sender\'s cache bound over many URLs and versions', { skip: NO_DICTIONARY_CODECS ?? false }, async (t) => {
  const bound = 3 * 1024 * 1024
  const app = Fastify()
  await app.register(coilgun, { secret: SECRET })
  let version = 0
  app.get<{ Params: { i: string } }>('/many/:i', async function many (request, reply) {
    reply.header('content-type', 'text/html; charset=utf-8')
    return reply.send(`<html>${`page ${request.params.i} `.repeat(2000)} version ${version}</html>`)
  })
  const originUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  const { sender, url } = await startSender(originUrl, { COILGUN_VISITOR_DICTIONARIES: 'on', COILGUN_CACHE_MAX_BYTES: String(bound) })
  t.after(() => sender.close())
  const held = new Map<number, Buffer>()
  let dictionaryAnswers = 0
  for (version = 0; version < 6; version++) {
    for (let i = 0; i < 40; i++) {
      const prev = held.get(i)
      const res = await fetch(`${url}/many/${i}`, { headers: { 'accept-encoding': 'dcb, dcz', ...(prev === undefined ? {} : { 'available-dictionary': `:${createHash('sha256').update(prev).digest('base64')}:` }) } })
      const body = Buffer.from(await res.arrayBuffer())
      if (res.headers.get('content-encoding') === null) held.set(i, body)
      else dictionaryAnswers++
      assert.ok(sender.cache.bytes <= bound, `cache bytes ${sender.cache.bytes} within ${bound}`)
    }
  }
  t.diagnostic(`${dictionaryAnswers} dictionary answers; cache ${sender.cache.entries} entries, ${sender.cache.bytes} B of ${bound}`)
  assert.ok(dictionaryAnswers >= 40 * 4, 'dictionary answers flowed while the bound held')
  assert.ok(40 * 6 * 16_000 > bound, 'the history would exceed the bound if nothing were evicted')
})

test('asking for visitor dictionaries where dcb/dcz cannot work stops with one line naming the variable', { skip: NO_DICTIONARY_CODECS === undefined ? 'this Node has dcb/dcz' : false }, async () => {
  await assert.rejects(async () => {
    // Should it start after all, close it, so the failure is an assertion and not a hang.
    const { sender } = await startSender('http://127.0.0.1:1', { COILGUN_VISITOR_DICTIONARIES: 'on' })
    await sender.close()
  }, (err: Error) => /COILGUN_VISITOR_DICTIONARIES/.test(err.message) && !err.message.includes('\n'))
})
