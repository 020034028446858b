import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { decode as ablyDecode } from '@ably/vcdiff-decoder'
import { loadCodec } from '@coilgun/core'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { WasmRunner } from '../src/codecs/vcdiffWasm.ts'
import { hasTool } from './support.ts'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 17: every `vcdiff` delta Coilgun sends is standard RFC 3284 (version 0,
// separate data/instructions/addresses sections, section 4.3), so independent
// decoders rebuild the page byte for byte: the xdelta3 CLI and @ably/vcdiff-decoder.
// Before issue 17 both refused our deltas ("VCDIFF input version > 0 is not
// supported", "first 3 bytes not VCD"). The decoder still reads the interleaved
// variant that earlier versions sent.

const vcdiff = await loadCodec('vcdiff')
const xdelta3 = hasTool('xdelta3')

/** Every consecutive pair of every public corpus set, or synthetic pairs without it. */
function pairs (): Array<{ name: string, base: Buffer, target: Buffer }> {
  const out: Array<{ name: string, base: Buffer, target: Buffer }> = []
  const synthetic = syntheticVersions(4, 150_000)
  for (let i = 1; i < synthetic.length; i++) out.push({ name: `synthetic ${i}`, base: synthetic[i - 1]!, target: synthetic[i]! })
  // Long runs of one byte become an ADD and an overlapping COPY from the target
  // (mode HERE); an empty base makes a window without a source segment.
  const page = synthetic[0]!
  out.push({ name: 'synthetic with runs', base: page, target: Buffer.concat([page.subarray(0, 40_000), Buffer.alloc(3000, 0x20), Buffer.alloc(700, 0x2d), page.subarray(52_000)]) })
  out.push({ name: 'synthetic without base', base: Buffer.alloc(0), target: page.subarray(0, 20_000) })
  // Over xdelta3's fixed wasm memory: open-vcdiff's output, rewritten.
  const [largeBase, largeTarget] = syntheticVersions(2, 1_300_000)
  out.push({ name: 'synthetic 1.3 MB (open-vcdiff, rewritten)', base: largeBase!, target: largeTarget! })
  if (corpusAvailable()) {
    for (const set of listCorpusSets()) {
      const versions = readVersions(set)
      for (let i = 1; i < versions.length; i++) out.push({ name: `${set.name} ${i}->${i + 1}`, base: versions[i - 1]!, target: versions[i]! })
    }
  }
  return out
}

const all = pairs()

test('every vcdiff delta is standard RFC 3284 that @ably/vcdiff-decoder rebuilds byte for byte', () => {
  for (const { name, base, target } of all) {
    const delta = vcdiff.encode(base, target)
    assert.deepEqual([...delta.subarray(0, 4)], [0xd6, 0xc3, 0xc4, 0x00], `${name}: RFC 3284 magic and version 0`)
    const rebuilt = ablyDecode(delta, base)
    assert.ok(Buffer.from(rebuilt).equals(target), `${name} differs after @ably/vcdiff-decoder`)
    // Our own decoder reads what we write.
    assert.ok(Buffer.from(vcdiff.decode(base, delta, { maxOutputBytes: target.length })).equals(target), `${name} differs after our decoder`)
  }
})

test('every vcdiff delta decodes with xdelta3 -d byte for byte', { skip: xdelta3 ? false : 'xdelta3 not installed (apt-get install xdelta3)' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-vcdiff-std-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  for (const { name, base, target } of all) {
    writeFileSync(join(dir, 'base'), base)
    writeFileSync(join(dir, 'delta'), vcdiff.encode(base, target))
    // -f: overwrite the previous output; xdelta3 verifies a checksum only when the
    // delta carries one, and ours carry none (vcdiffStandardLayout.ts).
    execFileSync('xdelta3', ['-d', '-f', '-s', join(dir, 'base'), join(dir, 'delta'), join(dir, 'out')], { stdio: ['ignore', 'ignore', 'pipe'] })
    assert.ok(readFileSync(join(dir, 'out')).equals(target), `${name} differs after xdelta3 -d`)
  }
})

test('the vcdiff decoder still reads the interleaved variant earlier versions sent', async () => {
  const encoder = await WasmRunner.load('encode')
  for (const { name, base, target } of all.slice(0, 6)) {
    const interleaved = encoder.call(base, target).result
    assert.equal(interleaved[3], 0x53, `${name}: open-vcdiff writes version 'S'`)
    assert.ok(Buffer.from(vcdiff.decode(base, interleaved, { maxOutputBytes: target.length })).equals(target), `${name} differs`)
  }
})
