import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadCodec } from '@coilgun/core'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { WasmRunner } from '../src/codecs/vcdiffWasm.ts'
import { toStandardVcdiff } from '../src/codecs/vcdiffStandardLayout.ts'
import { XDELTA3_MAX_INPUT_BYTES, Xdelta3Encoder } from '../src/codecs/xdelta3Wasm.ts'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 17: vcdiff deltas come from xdelta3 (wasm) where its fixed 16 MiB memory
// holds the page, and from open-vcdiff, rewritten to the standard layout, above
// that. xdelta3's deltas are the smaller ones; the wasm file is the vetted one.

const vcdiff = await loadCodec('vcdiff')
const { encoder: xdelta3, reason } = await Xdelta3Encoder.load()
const openVcdiff = await WasmRunner.load('encode')

function pairs (): Array<[Buffer, Buffer]> {
  if (corpusAvailable()) {
    return listCorpusSets().map(set => {
      const v = readVersions(set, 3)
      return [v[1]!, v[2]!] as [Buffer, Buffer]
    })
  }
  const v = syntheticVersions(3, 200_000)
  return [[v[0]!, v[1]!], [v[1]!, v[2]!]]
}

test('the vetted xdelta3 wasm file loads and imports nothing', () => {
  assert.equal(reason, undefined)
  assert.ok(xdelta3 !== undefined)
})

test('pages that fit xdelta3 get its delta, smaller than open-vcdiff rewritten', () => {
  let xdelta3Total = 0
  let openVcdiffTotal = 0
  for (const [base, target] of pairs()) {
    const delta = Buffer.from(vcdiff.encode(base, target))
    const direct = xdelta3!.encode(base, target)
    assert.ok(direct !== undefined && delta.equals(Buffer.from(direct)), 'the codec sent the xdelta3 delta')
    xdelta3Total += delta.length
    openVcdiffTotal += toStandardVcdiff(openVcdiff.call(base, target).result).length
  }
  assert.ok(xdelta3Total < openVcdiffTotal, `xdelta3 ${xdelta3Total} B, open-vcdiff ${openVcdiffTotal} B`)
})

test('pages over xdelta3 memory go to open-vcdiff and still rebuild', () => {
  const [base, target] = syntheticVersions(2, 1_300_000)
  assert.ok(base!.length + target!.length > XDELTA3_MAX_INPUT_BYTES)
  assert.equal(xdelta3!.encode(base!, target!), undefined)
  const delta = vcdiff.encode(base!, target!)
  assert.equal(delta[3], 0x00, 'standard RFC 3284')
  assert.ok(Buffer.from(vcdiff.decode(base!, delta, { maxOutputBytes: target!.length })).equals(target!))
})
