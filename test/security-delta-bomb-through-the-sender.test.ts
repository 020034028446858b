import assert from 'node:assert/strict'
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib'
import { test } from 'node:test'
import { loadCodecs } from '@coilgun/core'
import { hashOf, outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'
import type { OriginReply } from './support/tamperingProxy.ts'
import { runDelta } from './support/vcdiffCraft.ts'

// Issue 8: delta bombs from a malicious origin, end to end through a real sender
// limited to 2 MiB per page: a 77-byte VCDIFF announcing 1 GiB, a gzip layer around a
// delta inflating to 256 MiB, gzip and brotli full bodies inflating to 256 MiB, and
// (where the runtime has them) dcz/dcb deltas of 64 MiB. Each is refused before the
// output is built (COILGUN_ERR_DELTA_TOO_LARGE); the visitor gets the page from an
// honest refetch or an honest 502; the sender's memory stays far below the bombs.

const MAX = 2 * 1024 * 1024
const MiB = 1024 * 1024
const pages = versionedPages(8)
const page = pages.find(p => Math.max(...p.versions.map(v => v.length)) < MAX / 2) ?? pages[0]!
const path = `/page/${page.name}`

const zeros = Buffer.alloc(256 * MiB)
const BOMBS = {
  vcdiff: runDelta(256 * MiB, 4),
  gzipLayer: gzipSync(zeros, { level: 9 }),
  gzipFull: gzipSync(zeros, { level: 9 }),
  brFull: brotliCompressSync(zeros, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } })
}

type BombKind = 'vcdiff' | 'gzipLayer' | 'gzipFull' | 'brFull' | 'dcz' | 'dcb'

/** The origin's real answer with its body (and coding) swapped for a bomb; `dictionaryBomb` for dcz/dcb. */
function bombed (real: OriginReply, kind: BombKind, dictionaryBomb: Buffer | undefined, namedBase?: string): OriginReply {
  const headers = { ...real.headers }
  delete headers['content-encoding']
  delete headers.im
  if (kind === 'vcdiff' || kind === 'gzipLayer') {
    return { status: 226, headers: { ...headers, im: kind === 'vcdiff' ? 'vcdiff' : 'vcdiff, gzip', ...(namedBase === undefined ? {} : { 'delta-base': namedBase }) }, body: kind === 'vcdiff' ? BOMBS.vcdiff : BOMBS.gzipLayer }
  }
  if (kind === 'dcz' || kind === 'dcb') return { status: 200, headers: { ...headers, 'content-encoding': kind }, body: dictionaryBomb! }
  return { status: 200, headers: { ...headers, 'content-encoding': kind === 'gzipFull' ? 'gzip' : 'br' }, body: kind === 'gzipFull' ? BOMBS.gzipFull : BOMBS.brFull }
}

test('delta and compression bombs are refused before they grow; the visitor gets the page or a 502', async (t) => {
  for (const [name, bomb] of Object.entries(BOMBS)) assert.ok(bomb.length < 512 * 1024, `${name} bomb is small on the wire (${bomb.length} bytes)`)
  // RFC 9842 codecs where the runtime has them (Node >= 22.19): a 64 MiB target against the held base.
  const codecs = await loadCodecs()
  const dictionaryCodecs = (['dcz', 'dcb'] as const).filter(name => codecs.get(name)?.available === true)
  const pair = await startFaultPair(t, pages, { COILGUN_MAX_BODY_BYTES: String(MAX) })
  let version = 0
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
  t.after(() => clearInterval(sampler))

  const cases: Array<{ delta: BombKind, full?: BombKind }> = [
    { delta: 'vcdiff' },
    { delta: 'gzipLayer' },
    ...dictionaryCodecs.map(name => ({ delta: name })),
    { delta: 'vcdiff', full: 'gzipFull' },
    { delta: 'gzipLayer', full: 'brFull' }
  ]
  for (const c of cases) {
    // Each case starts from a held base, so the first answer can be a delta.
    pair.proxy.tamper = (_req, real) => send(real)
    if (pair.held(path) === undefined) assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[version]!))
    const codec = c.delta === 'dcz' || c.delta === 'dcb' ? codecs.get(c.delta) : undefined
    const dictionaryBomb = codec === undefined ? undefined : Buffer.from(codec.encode(page.versions[version]!, zeros.subarray(0, 64 * MiB)))
    version = (version + 1) % page.versions.length
    pair.state.current.set(page.name, version)
    pair.proxy.tamper = (req, real) => {
      const namesBase = req.headers['if-none-match'] !== undefined || req.headers['available-dictionary'] !== undefined
      if (namesBase) return send(bombed(real, c.delta, dictionaryBomb, req.headers['if-none-match']))
      return send(c.full === undefined ? real : bombed(real, c.full, undefined))
    }
    const res = await rawGet(pair.url + path)
    if (c.full === undefined) {
      assert.equal(res.status, 200, `${c.delta}`)
      assert.ok(res.body.equals(page.versions[version]!), `${c.delta}: the honest refetch is served`)
      assert.equal(outcomeOf(res), 'fallback')
      assert.equal(whyOf(res), 'COILGUN_ERR_DELTA_TOO_LARGE', c.delta)
    } else {
      assert.equal(res.status, 502, `${c.delta} then ${c.full}`)
      assert.equal(pair.held(path), undefined)
    }
  }
  clearInterval(sampler)
  const failures = await pair.sender.metrics.registry.getSingleMetricAsString('coilgun_verification_failures_total')
  assert.match(failures, /reason="COILGUN_ERR_DELTA_TOO_LARGE"\} [1-9]/)
  const grown = (peak - baseline) / MiB
  t.diagnostic(`RSS grew by at most ${grown.toFixed(1)} MiB while refusing bombs of 256 MiB to 1 GiB`)
  assert.ok(grown < 128, `RSS grew by ${grown.toFixed(1)} MiB`)

  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[version]!))
  assert.ok(pair.held(path)?.equals(hashOf(page.versions[version]!)))
})
