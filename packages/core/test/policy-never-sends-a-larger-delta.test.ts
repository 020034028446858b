import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { test } from 'node:test'
import { chooseEncoding, decodeDelta, loadCodecs, sha256 } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 2: choose the smallest of each accepted codec's delta and the full body
// compressed; a delta larger than the compressed full body is never sent.

const codecs = [...(await loadCodecs()).values()].filter(c => c.available)

test('a small change is sent as the smallest delta, which decodes to the target', () => {
  const [base, target] = syntheticVersions(2, 200_000) as [Buffer, Buffer]
  const fullSize = gzipSync(target).length
  const chosen = chooseEncoding({ base, baseHash: sha256(base), target, codecs, fullSize, secondaryCompression: true })
  assert.ok(chosen, 'a delta is chosen for a small change')
  assert.ok(chosen.body.length < fullSize / 10)
  for (const codec of codecs) {
    const raw = codec.encode(base, target).length
    assert.ok(chosen.body.length <= raw, `chosen ${chosen.codec} (${chosen.body.length}) is not larger than ${codec.name} (${raw})`)
  }
  const codec = codecs.find(c => c.name === chosen.codec)!
  const out = decodeDelta({ codec, secondary: chosen.secondary, base, delta: chosen.body, expectedHash: sha256(target), maxOutputBytes: target.length })
  assert.ok(Buffer.from(out.body).equals(target))
})

test('a rewrite whose delta is larger than the compressed page is sent full', () => {
  // Unrelated versions: no delta can beat the page compressed on its own.
  const base = randomBytes(50_000)
  const target = Buffer.from(randomBytes(60_000).toString('hex'))
  const fullSize = brotliCompressSync(target).length
  for (const codec of codecs) assert.ok(codec.encode(base, target).length >= fullSize, `${codec.name} delta is not smaller than brotli`)
  assert.equal(chooseEncoding({ base, baseHash: sha256(base), target, codecs, fullSize, secondaryCompression: true }), undefined)
})

test('a delta exactly as large as the full body is not sent', () => {
  const [base, target] = syntheticVersions(2, 50_000) as [Buffer, Buffer]
  const sizes = codecs.map(c => c.encode(base, target).length)
  const smallest = Math.min(...sizes)
  assert.equal(chooseEncoding({ base, baseHash: sha256(base), target, codecs, fullSize: smallest, secondaryCompression: false }), undefined)
  assert.ok(chooseEncoding({ base, baseHash: sha256(base), target, codecs, fullSize: smallest + 1, secondaryCompression: false }))
})

test('gzip is applied to a vcdiff delta only when it makes it smaller', () => {
  const vcdiff = codecs.filter(c => c.name === 'vcdiff')
  const [base, target] = syntheticVersions(2, 200_000) as [Buffer, Buffer]
  const withGzip = chooseEncoding({ base, baseHash: sha256(base), target, codecs: vcdiff, fullSize: target.length, secondaryCompression: true })!
  const plain = chooseEncoding({ base, baseHash: sha256(base), target, codecs: vcdiff, fullSize: target.length, secondaryCompression: false })!
  assert.equal(plain.secondary, undefined)
  if (withGzip.secondary === 'gzip') assert.ok(withGzip.body.length < plain.body.length)
  else assert.equal(withGzip.body.length, plain.body.length)
})
