import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { deltaRequestHeaders, loadCodecs, OriginResponder, rebuildFromAnswer, resolveOriginOptions, sha256 } from '@coilgun/core'
import type { HeldVersion } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 7: compressing a 400 KB page for the link costs ten times what encoding its
// delta does. The origin compresses the full body only when it sends it, or when the
// delta is not plainly smaller than it (at most half the size this resource last
// compressed to); a delta is still never larger than the compressed full body.

const SECRET = 'lazy-full-secret-0123456789'
const response = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined }
const codecs = await loadCodecs(['vcdiff'])

async function withResponder (run: (ask: (key: string, body: Buffer, held: HeldVersion | undefined) => Promise<{ kind: string, rebuilt: Uint8Array, wire: number }>, responder: OriginResponder) => Promise<void>, secondaryCompression = true): Promise<void> {
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], encodeWorkers: 0, secondaryCompression }))
  try {
    await run(async (key, body, held) => {
      const answer = await responder.answer({ method: 'GET', headers: deltaRequestHeaders(SECRET, [...codecs.values()], held), resourceKey: key }, response, body)
      const rebuilt = rebuildFromAnswer({ status: answer.status, headers: answer.headers, body: answer.body ?? new Uint8Array() }, held, codecs, 1e8)
      assert.ok(Buffer.from(rebuilt.body).equals(body), 'the answer rebuilds the page')
      return { kind: answer.kind, rebuilt: rebuilt.body, wire: answer.body?.length ?? 0 }
    }, responder)
  } finally {
    await responder.close()
  }
}

const held = (body: Buffer): HeldVersion => ({ body, hash: sha256(body) })

test('a small change to a page compressed before is sent as a delta without compressing the page', async () => {
  const [v1, v2, v3] = syntheticVersions(3, 300_000) as [Buffer, Buffer, Buffer]
  await withResponder(async (ask, responder) => {
    assert.equal((await ask('a.test/page', v1, undefined)).kind, 'full')
    assert.equal(responder.stats().fullCompressions, 1)
    assert.equal((await ask('a.test/page', v2, held(v1))).kind, 'delta')
    assert.equal((await ask('a.test/page', v3, held(v2))).kind, 'delta')
    assert.equal(responder.stats().fullCompressions, 1, 'no full compression for the deltas')
  })
})

test('a resource never compressed here is compressed once to judge its first delta', async () => {
  const [v1, v2] = syntheticVersions(2, 300_000) as [Buffer, Buffer]
  await withResponder(async (ask, responder) => {
    await ask('a.test/one', v1, undefined)
    // The base is known by its digest, but this URL's compression ratio is not.
    assert.equal((await ask('a.test/other', v2, held(v1))).kind, 'delta')
    assert.equal(responder.stats().fullCompressions, 2)
  })
})

test('a delta that is not plainly smaller is compared with the compressed page, and loses to it', async () => {
  const [v1] = syntheticVersions(1, 100_000) as [Buffer]
  // A rewrite into prose that shares nothing with the base: plain vcdiff (no gzip
  // layer) can only add it, brotli packs it several times smaller. (With the gzip
  // layer, gzip of 40,000 words beats brotli at quality 4, issue 12.)
  const words = ['the', 'people', 'government', 'because', 'through', 'between', 'without', 'different', 'important', 'information', 'together', 'something', 'children', 'following', 'question', 'national']
  const noise = randomBytes(40_000)
  const rewrite = Buffer.from(Array.from(noise, b => words[b % words.length]).join(' '))
  await withResponder(async (ask, responder) => {
    await ask('a.test/page', v1, undefined)
    const answer = await ask('a.test/page', rewrite, held(v1))
    assert.equal(answer.kind, 'full', 'the compressed full body is smaller than the delta')
    assert.equal(responder.stats().fullCompressions, 2)
    assert.ok(answer.wire < rewrite.length / 2, 'the full body went compressed')
  }, false)
})
