import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decode as ablyDecode } from '@ably/vcdiff-decoder'
import { loadCodec } from '@coilgun/core'
import { toStandardVcdiff } from '../src/codecs/vcdiffStandardLayout.ts'

// Issue 17: the rewrite from open-vcdiff's interleaved layout into RFC 3284
// section 4.3 walks the default code table (section 5.6). open-vcdiff never emits
// RUN, and rarely a checksum, so hand-made interleaved windows cover those paths:
// each is decoded by our decoder in the interleaved form and by an independent
// decoder after the rewrite, and both must give the same bytes.

const vcdiff = await loadCodec('vcdiff')

function varint (n: number): number[] {
  const digits = [n % 128]
  for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) digits.unshift((n % 128) | 0x80)
  return digits
}

/** One interleaved file: header, then one window with the given source segment and instruction bytes. */
function interleaved (targetLength: number, instructions: number[], source?: { length: number, position: number }, checksum?: number): Buffer {
  const sections = [...varint(targetLength), 0x00, 0x00, ...varint(instructions.length), 0x00, ...(checksum === undefined ? [] : varint(checksum)), ...instructions]
  const winIndicator = (source === undefined ? 0 : 0x01) | (checksum === undefined ? 0 : 0x04)
  const segment = source === undefined ? [] : [...varint(source.length), ...varint(source.position)]
  return Buffer.from([0xd6, 0xc3, 0xc4, 0x53, 0x00, winIndicator, ...segment, ...varint(sections.length), ...sections])
}

function rebuildBothWays (base: Buffer, delta: Buffer, expected: string): void {
  const viaOurs = Buffer.from(vcdiff.decode(base, delta, { maxOutputBytes: 1 << 20 })).toString('latin1')
  assert.equal(viaOurs, expected, 'our decoder reads the interleaved form')
  const standard = toStandardVcdiff(delta)
  assert.equal(standard[3], 0x00)
  assert.equal(Buffer.from(ablyDecode(standard, base)).toString('latin1'), expected, 'an independent decoder reads the rewrite')
  assert.equal(Buffer.from(vcdiff.decode(base, Buffer.from(standard), { maxOutputBytes: 1 << 20 })).toString('latin1'), expected)
}

test('a RUN instruction (opcode 0, explicit size, one data byte) is rewritten', () => {
  // RUN 300 of 'A', then ADD 3 (opcode 4 = ADD size 3) "end".
  rebuildBothWays(Buffer.alloc(0), interleaved(303, [0x00, ...varint(300), 0x41, 0x04, 0x65, 0x6e, 0x64]), 'A'.repeat(300) + 'end')
})

test('double opcodes, explicit sizes and every address mode kind are rewritten', () => {
  const base = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz')
  // 163 = ADD 1 + COPY 4 mode SELF (address varint); 19 = COPY size 0 mode SELF
  // (size varint, address varint); 247 = COPY 4 mode SELF + ADD 1; 1 = ADD size 0
  // (explicit size); 115 = COPY size 0 mode 6 (VCD_SAME: one address byte, cache
  // slot of address 10 set by the first copy: 10 % (3 * 256) = 10).
  const instructions = [
    163, 0x58, ...varint(10), // 'X' + copy "abcd"
    19, ...varint(6), ...varint(20), // copy "klmnop"
    247, ...varint(0), 0x59, // copy "0123" + 'Y'
    1, ...varint(2), 0x5a, 0x5a, // 'ZZ'
    115, ...varint(5), 10 // copy "abcde" from the same-cache slot 10
  ]
  rebuildBothWays(base, interleaved(1 + 4 + 6 + 4 + 1 + 2 + 5, instructions, { length: base.length, position: 0 }), 'Xabcdklmnop0123YZZabcde')
})

test('the open-vcdiff checksum is dropped: it is not the format xdelta3 reads', () => {
  const delta = interleaved(3, [0x04, 0x61, 0x62, 0x63], undefined, 0x024d0127)
  const standard = toStandardVcdiff(delta)
  assert.equal(standard[5], 0x00, 'window indicator without VCD_ADLER32')
  assert.equal(Buffer.from(ablyDecode(standard, Buffer.alloc(0))).toString(), 'abc')
})

test('a delta that does not parse is refused rather than rewritten into garbage', () => {
  const good = interleaved(303, [0x00, ...varint(300), 0x41, 0x04, 0x65, 0x6e, 0x64])
  for (const bad of [good.subarray(0, good.length - 2), Buffer.from([0xd6, 0xc3, 0xc4, 0x07, 0x00]), Buffer.from([0xd6, 0xc3, 0xc4, 0x53, 0x02, 0x00])]) {
    assert.throws(() => toStandardVcdiff(bad))
  }
})
