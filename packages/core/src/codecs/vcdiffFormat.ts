import { ERR_DELTA_CORRUPT, ERR_DELTA_TOO_LARGE } from '../errors.ts'

// RFC 3284 section 4: a VCDIFF file is a header followed by windows; each window
// announces its target length before any data. Reading only those lengths lets us
// refuse a delta bomb before the wasm decoder allocates anything, and check the
// decoder's output length afterwards (vcdiff-wasm itself does not report errors).

const MAGIC_0 = 0xd6
const MAGIC_1 = 0xc3
const MAGIC_2 = 0xc4
/** RFC 3284 version 0, and open-vcdiff's interleaved extension 'S'. */
const VERSION_STANDARD = 0x00
export const VERSION_INTERLEAVED = 0x53

// Header indicator bits (section 4.1), and the window indicator's segment bits (4.2);
// vcdiffStandardLayout.ts reads the same layout.
export const VCD_DECOMPRESS = 0x01
export const VCD_CODETABLE = 0x02
export const VCD_APPHEADER = 0x04 // xdelta3/open-vcdiff application header

export const VCD_SOURCE = 0x01
export const VCD_TARGET = 0x02
const VCD_ADLER32 = 0x04 // open-vcdiff extension: checksum of the target window

export interface VcdiffSummary {
  /** Sum of all windows' target lengths: the size of the rebuilt body. */
  targetLength: number
  windows: number
}

class Reader {
  pos = 0
  readonly bytes: Uint8Array
  constructor (bytes: Uint8Array) { this.bytes = bytes }

  byte (): number {
    const b = this.bytes[this.pos]
    if (b === undefined) throw corrupt('truncated')
    this.pos++
    return b
  }

  /** RFC 3284 section 2: base-128 big-endian integer, continuation in the high bit. */
  varint (): number {
    let value = 0
    for (let i = 0; i < 9; i++) {
      const b = this.byte()
      value = value * 128 + (b & 0x7f)
      if (value > Number.MAX_SAFE_INTEGER) break
      if ((b & 0x80) === 0) return value
    }
    throw corrupt('integer too long')
  }

  skip (n: number): void {
    if (n > this.bytes.length - this.pos) throw corrupt('truncated')
    this.pos += n
  }
}

function corrupt (why: string): Error {
  return new ERR_DELTA_CORRUPT('vcdiff', why)
}

/**
 * Validates the framing of a VCDIFF delta against the base it will be applied to
 * and returns the announced output size. Throws COILGUN_ERR_DELTA_CORRUPT on any
 * framing error and COILGUN_ERR_DELTA_TOO_LARGE when the windows announce more than
 * `maxOutputBytes` (checked window by window, so a huge announcement fails early).
 */
export function readVcdiffSummary (delta: Uint8Array, baseLength: number, maxOutputBytes: number): VcdiffSummary {
  const r = new Reader(delta)
  if (r.byte() !== MAGIC_0 || r.byte() !== MAGIC_1 || r.byte() !== MAGIC_2) throw corrupt('bad magic')
  const version = r.byte()
  if (version !== VERSION_STANDARD && version !== VERSION_INTERLEAVED) throw corrupt(`unsupported version 0x${version.toString(16)}`)
  const hdrIndicator = r.byte()
  if ((hdrIndicator & ~(VCD_DECOMPRESS | VCD_CODETABLE | VCD_APPHEADER)) !== 0) throw corrupt('bad header indicator')
  // Secondary compressors (section 6) are not supported by open-vcdiff.
  if ((hdrIndicator & VCD_DECOMPRESS) !== 0) throw corrupt('secondary compression inside VCDIFF is not supported')
  if ((hdrIndicator & VCD_CODETABLE) !== 0) r.skip(r.varint())
  if ((hdrIndicator & VCD_APPHEADER) !== 0) r.skip(r.varint())

  let targetLength = 0
  let windows = 0
  while (r.pos < delta.length) {
    const winIndicator = r.byte()
    if ((winIndicator & ~(VCD_SOURCE | VCD_TARGET | VCD_ADLER32)) !== 0) throw corrupt('bad window indicator')
    if ((winIndicator & VCD_SOURCE) !== 0 && (winIndicator & VCD_TARGET) !== 0) throw corrupt('window with both source and target segment')
    if ((winIndicator & VCD_SOURCE) !== 0) {
      const segmentLength = r.varint()
      const segmentPosition = r.varint()
      if (segmentPosition + segmentLength > baseLength) throw corrupt('source segment outside the base')
    } else if ((winIndicator & VCD_TARGET) !== 0) {
      const segmentLength = r.varint()
      const segmentPosition = r.varint()
      if (segmentPosition + segmentLength > targetLength) throw corrupt('target segment outside the data decoded so far')
    }
    const encodingLength = r.varint()
    const encodingStart = r.pos
    const windowTarget = r.varint()
    targetLength += windowTarget
    if (targetLength > maxOutputBytes) throw new ERR_DELTA_TOO_LARGE('vcdiff', String(targetLength), String(maxOutputBytes))
    r.pos = encodingStart
    r.skip(encodingLength)
    windows++
  }
  return { targetLength, windows }
}
