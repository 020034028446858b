import type { Codec } from '@coilgun/core'
import { gunzipBounded, gzipIfSmaller, loadCodecs } from '@coilgun/core'
import type { Contender, Pair } from './contender.ts'

/** Decoder output limit: far above any corpus page, as a deployment's limit would be. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024

// RFC 3284 section 4.1: a VCDIFF delta starts with 0xD6 0xC3 0xC4, a gzip member
// (RFC 1952) with 0x1F 0x8B, so the first byte tells the two forms apart here where
// the `IM: vcdiff, gzip` header (RFC 3229 section 10.5.2) would on the wire.
const GZIP_ID1 = 0x1f
const GZIP_ID2 = 0x8b

function codecContender (codec: Codec): Contender {
  return {
    name: codec.name,
    family: 'ours',
    unavailable: codec.available ? undefined : `unavailable on Node ${process.versions.node}: ${codec.unavailableReason}`,
    encode (pair: Pair) {
      return codec.encode(pair.base, pair.target, { baseHash: pair.baseHash })
    },
    decode (pair: Pair, delta: Uint8Array) {
      return codec.decode(pair.base, delta, { maxOutputBytes: MAX_OUTPUT_BYTES, baseHash: pair.baseHash })
    }
  }
}

/** vcdiff, then gzip when that makes the delta smaller, as the sender does. */
function vcdiffGzipContender (vcdiff: Codec): Contender {
  return {
    name: 'vcdiff+gzip',
    family: 'ours',
    unavailable: vcdiff.available ? undefined : `unavailable on Node ${process.versions.node}: ${vcdiff.unavailableReason}`,
    encode (pair: Pair) {
      const delta = vcdiff.encode(pair.base, pair.target, { baseHash: pair.baseHash })
      return gzipIfSmaller(delta) ?? delta
    },
    decode (pair: Pair, delta: Uint8Array) {
      const raw = delta[0] === GZIP_ID1 && delta[1] === GZIP_ID2
        ? gunzipBounded('vcdiff', delta, MAX_OUTPUT_BYTES)
        : delta
      return vcdiff.decode(pair.base, raw, { maxOutputBytes: MAX_OUTPUT_BYTES, baseHash: pair.baseHash })
    }
  }
}

/** Coilgun's codecs as the sender uses them: vcdiff, vcdiff+gzip, dcz, dcb. */
export async function loadOurContenders (): Promise<Contender[]> {
  const codecs = await loadCodecs()
  const contenders: Contender[] = []
  for (const codec of codecs.values()) {
    contenders.push(codecContender(codec))
    if (codec.name === 'vcdiff') contenders.push(vcdiffGzipContender(codec))
  }
  return contenders
}
