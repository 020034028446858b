import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { decodeDelta, gzipIfSmaller, isCoilgunError, loadCodecs, sha256 } from '@coilgun/core'
import type { Codec } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 2: truncated, bit-flipped, wrong-base and random deltas give a coded error
// (never a wrong result, a hang or a crash); an oversized output is refused.

const codecs = [...(await loadCodecs()).values()]
const [base, target, other] = syntheticVersions(3, 120_000) as [Buffer, Buffer, Buffer]
const expectedHash = sha256(target)
const MAX = target.length

/** Either the exact target, or a coded error: nothing else is acceptable. */
function assertTargetOrCodedError (codec: Codec, baseBytes: Uint8Array, delta: Uint8Array, secondary: 'gzip' | undefined = undefined): 'ok' | string {
  try {
    const out = decodeDelta({ codec, secondary, base: baseBytes, delta, expectedHash, maxOutputBytes: MAX })
    assert.ok(Buffer.from(out.body).equals(target), 'decodeDelta returned bytes that are not the target')
    return 'ok'
  } catch (err) {
    assert.ok(isCoilgunError(err), `expected a coded error, got ${String(err)}`)
    return err.code
  }
}

for (const codec of codecs) {
  const skip = codec.available ? false : `${codec.name} unavailable: ${codec.unavailableReason}`

  test(`${codec.name}: truncated deltas give a coded error`, { skip }, () => {
    const delta = codec.encode(base, target)
    for (let len = 0; len < delta.length; len += Math.max(1, Math.floor(delta.length / 97))) {
      const code = assertTargetOrCodedError(codec, base, delta.subarray(0, len))
      assert.notEqual(code, 'ok', `a delta cut to ${len} of ${delta.length} bytes cannot rebuild the target`)
    }
  })

  test(`${codec.name}: bit-flipped deltas give the target or a coded error`, { skip }, () => {
    const delta = codec.encode(base, target)
    let errors = 0
    for (let i = 0; i < delta.length; i += Math.max(1, Math.floor(delta.length / 300))) {
      const flipped = Buffer.from(delta)
      flipped[i] = flipped[i]! ^ (1 << (i % 8))
      if (assertTargetOrCodedError(codec, base, flipped) !== 'ok') errors++
    }
    assert.ok(errors > 0)
  })

  test(`${codec.name}: a delta applied to the wrong base gives a coded error`, { skip }, () => {
    const delta = codec.encode(base, target)
    const code = assertTargetOrCodedError(codec, other, delta)
    assert.match(code, /^COILGUN_ERR_(VERIFY_FAILED|DICTIONARY_MISMATCH|DELTA_CORRUPT)$/)
  })

  test(`${codec.name}: random and mutated deltas never crash, hang or return a wrong body`, { skip }, () => {
    const delta = Buffer.from(codec.encode(base, target))
    fc.assert(fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 4096 }),
        fc.tuple(fc.nat(delta.length - 1), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, bytes]) => {
          const m = Buffer.from(delta)
          m.set(bytes.subarray(0, m.length - at), at)
          return m
        }),
        fc.tuple(fc.nat(delta.length), fc.uint8Array({ maxLength: 64 })).map(([at, bytes]) => Buffer.concat([delta.subarray(0, at), bytes, delta.subarray(at)]))
      ),
      (bytes) => { assertTargetOrCodedError(codec, base, bytes) }
    ), { numRuns: 1500 })
  })

  test(`${codec.name}: a delta whose output exceeds the limit is refused`, { skip }, () => {
    const bomb = Buffer.alloc(32 * 1024 * 1024, 0x61)
    const small = Buffer.from('a')
    const delta = codec.encode(small, bomb)
    assert.ok(delta.length < 64 * 1024, `a bomb delta is small (${delta.length} bytes)`)
    const before = process.memoryUsage().rss
    assert.throws(() => codec.decode(small, delta, { maxOutputBytes: 1024 * 1024 }), { code: 'COILGUN_ERR_DELTA_TOO_LARGE' })
    assert.ok(process.memoryUsage().rss - before < 24 * 1024 * 1024, 'refusing must not allocate the whole output')
  })
}

test('vcdiff, gzip: a gzip bomb around a delta is refused', () => {
  const vcdiff = codecs.find(c => c.name === 'vcdiff')!
  const packed = gzipIfSmaller(Buffer.alloc(64 * 1024 * 1024))!
  assert.throws(() => decodeDelta({ codec: vcdiff, secondary: 'gzip', base, delta: packed, expectedHash, maxOutputBytes: MAX }), { code: 'COILGUN_ERR_DELTA_TOO_LARGE' })
  assert.equal(assertTargetOrCodedError(vcdiff, base, randomBytes(300), 'gzip'), 'COILGUN_ERR_DELTA_CORRUPT')
})

test('decodeDelta rejects a body whose length differs from the announced length', () => {
  const vcdiff = codecs.find(c => c.name === 'vcdiff')!
  const delta = vcdiff.encode(base, target)
  assert.throws(() => decodeDelta({ codec: vcdiff, secondary: undefined, base, delta, expectedHash, expectedLength: target.length + 1, maxOutputBytes: MAX }), { code: 'COILGUN_ERR_VERIFY_FAILED' })
})
