import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeDelta, gzipIfSmaller, loadCodecs, sha256 } from '@coilgun/core'
import { CORPUS_MISSING, corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'

// Issue 2: every consecutive pair of every corpus set, every available codec,
// byte-identical after a round trip (also through `vcdiff, gzip`).

const codecs = await loadCodecs()

for (const codec of codecs.values()) {
  test(`${codec.name} round-trips every consecutive corpus pair`, { skip: !codec.available ? `${codec.name} unavailable: ${codec.unavailableReason}` : !corpusAvailable() ? CORPUS_MISSING : false }, () => {
    let pairs = 0
    for (const set of listCorpusSets()) {
      const versions = readVersions(set)
      for (let i = 1; i < versions.length; i++) {
        const base = versions[i - 1]!
        const target = versions[i]!
        const delta = codec.encode(base, target)
        const rebuilt = codec.decode(base, delta, { maxOutputBytes: target.length })
        assert.ok(Buffer.from(rebuilt).equals(target), `${set.name} ${i}->${i + 1} differs after ${codec.name}`)
        if (codec.name === 'vcdiff') {
          const packed = gzipIfSmaller(delta)
          if (packed !== undefined) {
            const viaGzip = decodeDelta({ codec, secondary: 'gzip', base, delta: packed, expectedHash: sha256(target), maxOutputBytes: target.length })
            assert.ok(Buffer.from(viaGzip.body).equals(target))
          }
        }
        pairs++
      }
    }
    assert.ok(pairs > 100, `expected the whole corpus, round-tripped ${pairs} pairs`)
  })
}

test('vcdiff is available on every supported runtime', () => {
  assert.equal(codecs.get('vcdiff')?.available, true)
})
