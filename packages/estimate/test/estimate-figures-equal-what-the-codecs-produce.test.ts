import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { gzipIfSmaller, loadCodec, sha256, versionId } from '@coilgun/core'
import type { EstimateResult } from '@coilgun/estimate'
import { replayRoute, runCli, startServer, tempFile, testSets } from './support.ts'

// Issue 19: polling a site that replays known versions gives, for every change, the
// bytes the codecs themselves produce on the same two versions, and header overhead
// equal to the protocol's header lines as docs/PROTOCOL.md writes them (counted
// here from their documented lengths, not with the code under test).

const VERSIONS = 8

/** Bytes of one HTTP/1.1 header line `name: value` CRLF whose value has `valueLength` bytes. */
function line (name: string, valueLength: number): number {
  return name.length + 2 + valueLength + 2
}
const TAG = 48 // "cg-" + 43 base64url + quotes (PROTOCOL.md, Versions)
// The lean answer (PROTOCOL.md): the sender asks with Want-Repr-Digest: sha-256=0 and
// the origin names the version by its ETag only.
const LEAN = line('want-repr-digest', 'sha-256=0'.length)
const DICT = 46 // RFC 9842 Available-Dictionary: ":" + 44 base64 + ":"
const SECRET = 43
const IM_USED_EXTRA = 'IM Used'.length - 'OK'.length

function expectedLinkHeaders (form: string): number {
  if (form === 'delta vcdiff' || form === 'delta vcdiff+gzip') {
    const gz = form.endsWith('+gzip')
    return line('coilgun-secret', SECRET) + LEAN + line('a-im', 'vcdiff, gzip'.length) + line('if-none-match', TAG) + line('accept-encoding', 'br, gzip'.length) +
      line('etag', TAG) + line('im', (gz ? 'vcdiff, gzip' : 'vcdiff').length) + IM_USED_EXTRA
  }
  const codec = form.replace(/^delta /, '')
  return line('coilgun-secret', SECRET) + LEAN + line('available-dictionary', DICT) + line('accept-encoding', `${codec}, br, gzip`.length) +
    line('etag', TAG) + line('content-encoding', codec.length) + line('vary', 'Accept-Encoding, Available-Dictionary'.length)
}

test('each change measured by polling equals what gzip, brotli and each Coilgun codec produce on the same two versions', async (t) => {
  const { source, sets } = testSets(VERSIONS)
  t.diagnostic(`versions: ${source}`)
  const routes = Object.fromEntries(sets.map(s => [`/${s.name}`, replayRoute(s)]))
  const server = await startServer(routes)
  t.after(() => server.close())
  const json = tempFile('estimate.json')
  const run = await runCli(['--every', '10ms', '--polls', String(VERSIONS), '--json', json, ...sets.map(s => `${server.base}/${s.name}`)])
  assert.equal(run.code, 0, run.stderr)
  const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult

  const vcdiff = await loadCodec('vcdiff')
  const dictionaryCodecs = [await loadCodec('dcz'), await loadCodec('dcb')].filter(c => c.available)
  t.diagnostic(`dictionary codecs on Node ${process.versions.node}: ${dictionaryCodecs.map(c => c.name).join(', ') || 'none'}`)
  assert.deepEqual(result.methods.map(m => m.name).filter(m => m.includes('dc')).sort(),
    dictionaryCodecs.flatMap(c => [`link-${c.name}`, `visitor-${c.name}`]).sort(), 'dcz/dcb measured exactly where the runtime has them')

  let checked = 0
  for (const [i, set] of sets.entries()) {
    const r = result.resources[i]!
    assert.equal(r.attempts, VERSIONS)
    assert.equal(r.versionsSeen, VERSIONS)
    const expectedChanges = set.versions.flatMap((next, k) => k === 0 || set.versions[k - 1]!.equals(next) ? [] : [{ prev: set.versions[k - 1]!, next }])
    assert.equal(r.changes, expectedChanges.length)
    assert.equal(r.distinctVersions, new Set(set.versions.map(v => versionId(sha256(v)))).size)
    for (const [k, { prev, next }] of expectedChanges.entries()) {
      const c = r.changeList[k]!
      assert.equal(c.from, versionId(sha256(prev)))
      assert.equal(c.to, versionId(sha256(next)))
      const m = c.methods
      assert.equal(m.identity?.total, next.length)
      assert.equal(m.gzip?.total, zlib.gzipSync(next, { level: 6 }).length)
      const br = zlib.brotliCompressSync(next, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: next.length, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } }).length
      assert.equal(m.br?.total, br)

      const raw = vcdiff.encode(prev, next)
      const packed = gzipIfSmaller(raw)
      const delta = packed ?? raw
      const link = m['link-vcdiff']!
      if (delta.length < br) {
        assert.equal(link.form, packed === undefined ? 'delta vcdiff' : 'delta vcdiff+gzip')
        assert.equal(link.body, delta.length)
        assert.equal(link.headers, expectedLinkHeaders(link.form))
      } else {
        assert.equal(link.form, 'full br')
        assert.equal(link.body, br)
      }
      assert.equal(link.total, link.body + link.headers)

      for (const codec of dictionaryCodecs) {
        const body = codec.encode(prev, next).length
        const l = m[`link-${codec.name}` as 'link-dcz']!
        if (body < br) {
          assert.equal(l.form, `delta ${codec.name}`)
          assert.equal(l.body, body)
          assert.equal(l.headers, expectedLinkHeaders(l.form))
        }
        const v = m[`visitor-${codec.name}` as 'visitor-dcz']!
        assert.equal(v.body, body)
        assert.equal(v.headers, line('available-dictionary', DICT) + line('content-encoding', codec.name.length) + line('vary', 'accept-encoding, available-dictionary'.length) + line('use-as-dictionary', `match="/${set.name}"`.length))
      }
      checked++
    }
    // Totals are the sums of the changes.
    for (const name of result.methods.map(x => x.name)) {
      assert.equal(r.methods[name]?.total, r.changeList.reduce((s, c) => s + (c.methods[name]?.total ?? 0), 0), name)
    }
  }
  assert.ok(checked >= 2 * (VERSIONS - 2), `checked ${checked} changes`)
  for (const name of result.methods.map(x => x.name)) {
    assert.equal(result.total.methods[name]?.total, result.resources.reduce((s, r) => s + (r.methods[name]?.total ?? 0), 0))
  }
})
