import assert from 'node:assert/strict'
import { test } from 'node:test'
import { outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'

// Issue 8: an origin (or a link) that corrupts the gzip layer of `IM: vcdiff, gzip`
// deltas, and on every other request the br/gzip coding of its full pages too. A
// corrupt delta layer is a coded error and the page is refetched in full; when the
// full page is corrupt as well the visitor gets a 502, never other bytes; the held
// version is never replaced by anything unverified.

/**
 * Versions that each add a block of new text drawn from eight letters: no copy
 * instruction can express it, so it travels as VCDIFF data, which the gzip layer
 * shrinks to about 3 bits a character. The origin then sends `IM: vcdiff, gzip` whatever
 * the encoder (a corpus page's deltas may be too small to gain from the layer).
 */
function pagesWithAddedText (): VersionedPage[] {
  const base = syntheticVersions(1, 60_000)[0]!
  let seed = 7
  const versions = Array.from({ length: 8 }, () => {
    let text = ''
    for (let i = 0; i < 6000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      text += 'abcdefgh '[seed % 9]
    }
    return Buffer.concat([base, Buffer.from(`<section>${text}</section>`)])
  })
  return [{ name: 'added-text', contentType: 'text/html; charset=utf-8', versions }]
}

test('a corrupt gzip layer is refetched in full, or a 502 when everything is corrupt', async (t) => {
  const pages = pagesWithAddedText()
  const page = pages[0]!
  const path = `/page/${page.name}`
  // The gzip layer is a vcdiff matter (RFC 3229 `IM: vcdiff, gzip`): vcdiff only.
  const pair = await startFaultPair(t, pages, { COILGUN_CODECS: 'vcdiff' })
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  let layered = 0
  let refused = 0
  function flipMiddle (body: Buffer): Buffer {
    const m = Buffer.from(body)
    m[m.length >> 1] = m[m.length >> 1]! ^ 0x55
    return m
  }
  for (let i = 1; i < page.versions.length; i++) {
    const everything = i % 2 === 0
    const heldBefore = pair.held(path)
    pair.proxy.tamper = (_req, real) => {
      const gzipLayer = real.status === 226 && String(real.headers.im) === 'vcdiff, gzip'
      if (gzipLayer) layered++
      const codedFull = real.status === 200 && real.headers['content-encoding'] !== undefined
      return send(gzipLayer || (everything && codedFull) ? { ...real, body: flipMiddle(real.body) } : real)
    }
    pair.state.current.set(page.name, i)
    const res = await rawGet(pair.url + path)
    if (res.status === 502) {
      assert.ok(everything, `v${i + 1}: a 502 although the full page was sound`)
      assert.equal(pair.held(path), undefined, 'nothing unverified is held')
      refused++
      continue
    }
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1}: the page itself`)
    if (outcomeOf(res) === 'fallback') assert.match(whyOf(res) ?? '', /^COILGUN_ERR_(DELTA_CORRUPT|VERIFY_FAILED)$/)
    assert.ok(pair.held(path) !== undefined && !pair.held(path)!.equals(heldBefore ?? Buffer.alloc(0)))
  }
  assert.ok(layered > 0, 'the origin did send gzip-layered deltas')
  t.diagnostic(`${layered} gzip-layered deltas corrupted, ${refused} answers refused with a 502`)
})
