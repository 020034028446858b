import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isCoilgunError, loadCodecs, readVcdiffSummary } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'
import type { FuzzTarget } from '@coilgun/fixtures/fuzzTarget'
import { count, runParameters } from '@coilgun/fixtures/fuzzTarget'
import { vcdiffVarint } from './vcdiffCraft.ts'

// `readVcdiffSummary` is what stands between a delta bomb and the wasm decoder: it
// reads the RFC 3284 framing and the announced window sizes. Fed random bytes,
// damaged real deltas and generated framings (right magic, random indicators,
// lengths up to 2^45), it must return sizes within the limit or a coded
// COILGUN_ERR_DELTA_CORRUPT / _TOO_LARGE; and whenever the decoder then accepts the
// delta, the output is exactly as long as the summary said.

const CODES = new Set(['COILGUN_ERR_DELTA_CORRUPT', 'COILGUN_ERR_DELTA_TOO_LARGE'])

/** A VCDIFF framing: real magic (mostly), any header and window fields. */
const framing: fc.Arbitrary<Uint8Array> = fc.record({
  magic: fc.oneof({ weight: 9, arbitrary: fc.constant([0xd6, 0xc3, 0xc4]) }, { weight: 1, arbitrary: fc.array(fc.nat(255), { minLength: 3, maxLength: 3 }) }),
  version: fc.constantFrom(0x00, 0x53, 0x01, 0xff),
  header: fc.constantFrom(0x00, 0x00, 0x01, 0x02, 0x04, 0x06, 0x08),
  headerData: fc.uint8Array({ maxLength: 8 }),
  windows: fc.array(fc.record({
    indicator: fc.constantFrom(0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x03, 0x08),
    segment: fc.tuple(fc.nat(), fc.nat()),
    target: fc.oneof(fc.nat(4096), fc.integer({ min: 0, max: 2 ** 45 })),
    rest: fc.uint8Array({ maxLength: 24 }),
    encodingSlack: fc.integer({ min: -4, max: 4 })
  }), { maxLength: 4 })
}).map(({ magic, version, header, headerData, windows }) => {
  const out: number[] = [...magic, version, header]
  if ((header & 0x02) !== 0 || (header & 0x04) !== 0) out.push(...vcdiffVarint(headerData.length), ...headerData)
  for (const w of windows) {
    out.push(w.indicator)
    if ((w.indicator & 0x03) !== 0) out.push(...vcdiffVarint(w.segment[0]), ...vcdiffVarint(w.segment[1]))
    const encoding = [...vcdiffVarint(w.target), ...w.rest]
    out.push(...vcdiffVarint(Math.max(0, encoding.length + w.encodingSlack)), ...encoding)
  }
  return Uint8Array.from(out)
})

export async function vcdiffSummaryFuzz (): Promise<FuzzTarget> {
  const vcdiff = (await loadCodecs(['vcdiff'])).get('vcdiff')!
  const [base, target] = syntheticVersions(2, 20_000) as [Buffer, Buffer]
  const delta = Buffer.from(vcdiff.encode(base, target))
  assert.equal(readVcdiffSummary(delta, base.length, target.length).targetLength, target.length, 'an honest delta announces its target length')

  const mutated = fc.tuple(fc.nat(delta.length - 1), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.boolean()).map(([at, bytes, insert]) => {
    if (insert) return Buffer.concat([delta.subarray(0, at), bytes, delta.subarray(at)])
    const m = Buffer.from(delta)
    m.set(bytes.subarray(0, m.length - at), at)
    return m
  })
  const input = fc.record({
    bytes: fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated, framing, fc.nat(delta.length).map(n => delta.subarray(0, n))),
    baseLength: fc.oneof(fc.constant(base.length), fc.nat(1 << 20)),
    max: fc.oneof(fc.constant(target.length), fc.integer({ min: 0, max: 1 << 24 }))
  })

  const outcomes = new Map<string, number>()
  const property = fc.property(input, ({ bytes, baseLength, max }) => {
    let summary
    try {
      summary = readVcdiffSummary(bytes, baseLength, max)
    } catch (err) {
      assert.ok(isCoilgunError(err) && CODES.has(err.code), `expected a coded framing error, got ${String(err)}`)
      count(outcomes, err.code)
      return
    }
    count(outcomes, 'ok summary')
    assert.ok(Number.isSafeInteger(summary.targetLength) && summary.targetLength >= 0 && summary.targetLength <= max)
    assert.ok(Number.isSafeInteger(summary.windows) && summary.windows >= 0)
    if (baseLength !== base.length) return
    // The decoder applies the same summary and must agree with it.
    try {
      const out = vcdiff.decode(base, bytes, { maxOutputBytes: max })
      assert.equal(out.length, summary.targetLength, 'the decoder produced another length than announced')
      count(outcomes, 'ok decoded')
    } catch (err) {
      assert.ok(isCoilgunError(err), `the decoder threw an uncoded ${String(err)}`)
      count(outcomes, `decoder ${err.code}`)
    }
  })
  return {
    name: 'readVcdiffSummary',
    outcomes,
    run (numRuns: number, seed?: number) { fc.assert(property, runParameters(numRuns, seed)) }
  }
}
