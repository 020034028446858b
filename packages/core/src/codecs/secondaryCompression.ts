import zlib from 'node:zlib'
import { ERR_DELTA_CORRUPT, ERR_DELTA_TOO_LARGE } from '../errors.ts'

// RFC 3229 section 10.5.2 lets instance-manipulations stack: `IM: vcdiff, gzip`
// means the vcdiff delta was then gzipped. VCDIFF's added text is verbatim (in the
// data section of RFC 3284 section 4.3), so gzip saves bytes when it pays off.

/** gzip level for the secondary compression of deltas (small inputs, so cheap). */
export const DEFAULT_SECONDARY_GZIP_LEVEL = 9

/** The delta gzipped, or undefined when gzip does not make it smaller. */
export function gzipIfSmaller (delta: Uint8Array, level: number = DEFAULT_SECONDARY_GZIP_LEVEL): Buffer | undefined {
  const packed = zlib.gzipSync(delta, { level })
  return packed.length < delta.length ? packed : undefined
}

/**
 * Inflates a gzipped delta, refusing to produce more than `maxBytes`: the bound
 * applies here too, or a gzip bomb would get past the delta limits.
 */
export function gunzipBounded (codec: string, packed: Uint8Array, maxBytes: number): Buffer {
  try {
    return zlib.gunzipSync(packed, { maxOutputLength: Math.max(1, maxBytes) })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new ERR_DELTA_TOO_LARGE(`${codec}, gzip`, `more than ${maxBytes}`, String(maxBytes))
    }
    throw new ERR_DELTA_CORRUPT(`${codec}, gzip`, e.message)
  }
}
