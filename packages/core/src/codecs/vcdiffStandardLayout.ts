// Issue 17: open-vcdiff (vcdiff-wasm) writes its interleaved variant: version byte
// 'S' (0x53) and, in every window, the ADD/RUN data and COPY addresses inline in
// the instructions section, right after the instruction they belong to. RFC 3284
// section 4.3 puts them in three separate sections (data, instructions, addresses),
// and only that layout is read by independent decoders (xdelta3, @ably/vcdiff-decoder).
// The instructions, sizes, data bytes and encoded addresses are the same in both
// layouts, in the same order: rewriting is a walk of the instruction stream with the
// default code table (section 5.6) that sends each byte to its section. Addresses
// are copied as encoded: the address cache (section 5) depends only on the modes
// and the decoded addresses, which do not change.

import { VCD_APPHEADER, VCD_CODETABLE, VCD_DECOMPRESS, VCD_SOURCE, VCD_TARGET, VERSION_INTERLEAVED } from './vcdiffFormat.ts'

/** Instruction types of RFC 3284 (sections 3 and 5). */
const NOOP = 0
const ADD = 1
const RUN = 2
const COPY = 3

/** Address cache sizes of the default code table (RFC 3284 section 5): s_near = 4, s_same = 3. */
const NEAR_SLOTS = 4
/** COPY modes from 2 + s_near on are VCD_SAME: the address is one byte (section 5). */
const FIRST_SAME_MODE = 2 + NEAR_SLOTS

/**
 * Window checksum bit. open-vcdiff writes the Adler-32 as a varint after the section
 * lengths, xdelta3 as 4 fixed bytes at the same place: the two disagree, so the
 * standard output carries none (the sender verifies SHA-256 of every rebuilt page).
 */
const VCD_CHECKSUM = 0x04

/** One code table entry (section 5): both halves as (type, size, mode). */
interface Entry { type1: number, size1: number, mode1: number, type2: number, size2: number, mode2: number }

/** The default code table of RFC 3284 section 5.6, built by its own rules. */
function defaultCodeTable (): Entry[] {
  const table: Entry[] = []
  const push = (type1: number, size1: number, mode1: number, type2 = NOOP, size2 = 0, mode2 = 0): void => {
    table.push({ type1, size1, mode1, type2, size2, mode2 })
  }
  push(RUN, 0, 0)
  for (let size = 0; size <= 17; size++) push(ADD, size, 0)
  for (let mode = 0; mode <= 8; mode++) {
    push(COPY, 0, mode)
    for (let size = 4; size <= 18; size++) push(COPY, size, mode)
  }
  for (let mode = 0; mode <= 5; mode++) {
    for (let add = 1; add <= 4; add++) for (let copy = 4; copy <= 6; copy++) push(ADD, add, 0, COPY, copy, mode)
  }
  for (let mode = 6; mode <= 8; mode++) {
    for (let add = 1; add <= 4; add++) push(ADD, add, 0, COPY, 4, mode)
  }
  for (let mode = 0; mode <= 8; mode++) push(COPY, 4, mode, ADD, 1, 0)
  if (table.length !== 256) throw new Error(`default VCDIFF code table has ${table.length} entries`)
  return table
}

const CODE_TABLE = defaultCodeTable()

class LayoutError extends Error {}

/** Growable byte sink. */
class Sink {
  bytes: Uint8Array
  length = 0
  constructor (capacity: number) { this.bytes = new Uint8Array(Math.max(16, capacity)) }

  #reserve (n: number): void {
    if (this.length + n <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  byte (b: number): void {
    this.#reserve(1)
    this.bytes[this.length++] = b
  }

  copy (from: Uint8Array, start: number, end: number): void {
    this.#reserve(end - start)
    this.bytes.set(from.subarray(start, end), this.length)
    this.length += end - start
  }

  /** Section 2: base-128 big-endian, continuation bit set on all but the last byte. */
  varint (value: number): void {
    let n = value
    const digits = [n % 128]
    n = Math.floor(n / 128)
    while (n > 0) {
      digits.push((n % 128) | 0x80)
      n = Math.floor(n / 128)
    }
    for (let i = digits.length - 1; i >= 0; i--) this.byte(digits[i]!)
  }

  view (): Uint8Array { return this.bytes.subarray(0, this.length) }
}

class Cursor {
  pos: number
  readonly end: number
  readonly bytes: Uint8Array
  constructor (bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes
    this.pos = pos
    this.end = end
  }

  byte (): number {
    if (this.pos >= this.end) throw new LayoutError('truncated')
    return this.bytes[this.pos++]!
  }

  varint (): number {
    let value = 0
    for (let i = 0; i < 9; i++) {
      const b = this.byte()
      value = value * 128 + (b & 0x7f)
      if ((b & 0x80) === 0) return value
    }
    throw new LayoutError('integer too long')
  }

  /** Advances over one varint and returns where it started. */
  skipVarint (): number {
    const start = this.pos
    this.varint()
    return start
  }

  take (n: number): number {
    if (n > this.end - this.pos) throw new LayoutError('truncated')
    const start = this.pos
    this.pos += n
    return start
  }
}

/**
 * Splits one interleaved instructions section into the three sections of RFC 3284
 * section 4.3. Throws LayoutError when the stream does not parse.
 */
function splitSections (c: Cursor, data: Sink, inst: Sink, addr: Sink): void {
  let pendingSize = 0
  while (c.pos < c.end) {
    const opcode = c.byte()
    inst.byte(opcode)
    const entry = CODE_TABLE[opcode]!
    for (let half = 0; half < 2; half++) {
      const type = half === 0 ? entry.type1 : entry.type2
      if (type === NOOP) continue
      const tableSize = half === 0 ? entry.size1 : entry.size2
      const mode = half === 0 ? entry.mode1 : entry.mode2
      if (tableSize === 0) {
        const start = c.skipVarint()
        inst.copy(c.bytes, start, c.pos)
        pendingSize = readVarintAt(c.bytes, start)
      } else {
        pendingSize = tableSize
      }
      if (type === ADD) {
        const start = c.take(pendingSize)
        data.copy(c.bytes, start, c.pos)
      } else if (type === RUN) {
        data.byte(c.byte())
      } else if (mode >= FIRST_SAME_MODE) {
        addr.byte(c.byte())
      } else {
        const start = c.skipVarint()
        addr.copy(c.bytes, start, c.pos)
      }
    }
  }
}

function readVarintAt (bytes: Uint8Array, pos: number): number {
  return new Cursor(bytes, pos).varint()
}

/**
 * Rewrites an open-vcdiff interleaved delta (version 'S') into the standard RFC 3284
 * layout (version 0) that any VCDIFF decoder reads. A delta already in the standard
 * layout is returned unchanged. Throws an Error naming what did not parse; the
 * encoder wraps it into COILGUN_ERR_ENCODE_FAILED.
 */
export function toStandardVcdiff (delta: Uint8Array): Uint8Array {
  if (delta.length < 5 || delta[0] !== 0xd6 || delta[1] !== 0xc3 || delta[2] !== 0xc4) throw new LayoutError('bad magic')
  if (delta[3] === 0x00) return delta
  if (delta[3] !== VERSION_INTERLEAVED) throw new LayoutError(`unknown version 0x${delta[3]!.toString(16)}`)
  const c = new Cursor(delta, 4)
  const out = new Sink(delta.length + 16)
  out.copy(delta, 0, 3)
  out.byte(0x00)
  const hdrIndicator = c.byte()
  // A custom code table (section 7) would need its own walk; secondary compression
  // (section 6) is not something open-vcdiff writes.
  if ((hdrIndicator & (VCD_DECOMPRESS | VCD_CODETABLE)) !== 0) throw new LayoutError('custom code table or secondary compressor')
  out.byte(hdrIndicator)
  if ((hdrIndicator & VCD_APPHEADER) !== 0) {
    const lengthStart = c.skipVarint()
    c.take(readVarintAt(delta, lengthStart))
    out.copy(delta, lengthStart, c.pos)
  }
  const data = new Sink(delta.length)
  const inst = new Sink(delta.length)
  const addr = new Sink(delta.length)
  while (c.pos < delta.length) {
    const winIndicator = c.byte()
    out.byte(winIndicator & ~VCD_CHECKSUM)
    if ((winIndicator & (VCD_SOURCE | VCD_TARGET)) !== 0) {
      const segmentStart = c.skipVarint()
      c.skipVarint()
      out.copy(delta, segmentStart, c.pos)
    }
    const encodingLength = c.varint()
    const encodingEnd = c.pos + encodingLength
    if (encodingEnd > delta.length) throw new LayoutError('truncated window')
    const window = new Cursor(delta, c.pos, encodingEnd)
    const targetLength = window.varint()
    const deltaIndicator = window.byte()
    if (deltaIndicator !== 0) throw new LayoutError('compressed sections')
    const dataLength = window.varint()
    const instLength = window.varint()
    const addrLength = window.varint()
    if ((winIndicator & VCD_CHECKSUM) !== 0) window.varint()
    data.length = 0
    inst.length = 0
    addr.length = 0
    // The interleaved variant leaves the data and addresses sections empty.
    if (dataLength > 0 || addrLength > 0) throw new LayoutError('interleaved window with separate sections')
    const instStart = window.take(instLength)
    if (window.pos !== encodingEnd) throw new LayoutError('window length mismatch')
    splitSections(new Cursor(delta, instStart, instStart + instLength), data, inst, addr)
    const body = new Sink(data.length + inst.length + addr.length + 24)
    body.varint(targetLength)
    body.byte(0)
    body.varint(data.length)
    body.varint(inst.length)
    body.varint(addr.length)
    body.copy(data.bytes, 0, data.length)
    body.copy(inst.bytes, 0, inst.length)
    body.copy(addr.bytes, 0, addr.length)
    out.varint(body.length)
    out.copy(body.bytes, 0, body.length)
    c.pos = encodingEnd
  }
  return out.view()
}
