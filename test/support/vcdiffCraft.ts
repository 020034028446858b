// Hand-written RFC 3284 VCDIFF (standard version 0x00, default code table), for
// deltas no honest encoder would produce: windows that announce any target length,
// and a RUN instruction that turns one byte into megabytes (a delta bomb, issue 8).

const MAGIC = [0xd6, 0xc3, 0xc4]

/** RFC 3284 section 2: base-128 big-endian, continuation bit on every byte but the last. */
export function vcdiffVarint (value: number): number[] {
  const out = [value % 128]
  let rest = Math.floor(value / 128)
  while (rest > 0) {
    out.unshift((rest % 128) | 0x80)
    rest = Math.floor(rest / 128)
  }
  return out
}

/** One target-only window whose body is `length` copies of `byte` (RUN, code table entry 0). */
export function runWindow (length: number, byte = 0x61): number[] {
  const data = [byte]
  const instructions = [0x00, ...vcdiffVarint(length)]
  const encoding = [
    ...vcdiffVarint(length), // target window length
    0x00, // delta indicator: no secondary compression
    ...vcdiffVarint(data.length),
    ...vcdiffVarint(instructions.length),
    ...vcdiffVarint(0), // no COPY addresses
    ...data,
    ...instructions
  ]
  return [0x00, ...vcdiffVarint(encoding.length), ...encoding]
}

/** A whole delta made of RUN windows: `windows` of `length` bytes each. Tiny whatever it announces. */
export function runDelta (length: number, windows = 1, byte = 0x61): Buffer {
  const out = [...MAGIC, 0x00, 0x00]
  for (let i = 0; i < windows; i++) out.push(...runWindow(length, byte))
  return Buffer.from(out)
}
