import { ERR_CODEC_UNAVAILABLE, ERR_DELTA_CORRUPT, ERR_ENCODE_FAILED } from '../errors.ts'
import type { Codec, DecodeOptions } from './codec.ts'
import { readVcdiffSummary } from './vcdiffFormat.ts'
import { toStandardVcdiff } from './vcdiffStandardLayout.ts'
import { WasmRunner } from './vcdiffWasm.ts'
import { Xdelta3Encoder } from './xdelta3Wasm.ts'

// RFC 3284 VCDIFF. Issue 17: every delta is standard RFC 3284 (version 0, section
// 4.3 layout). xdelta3 (wasm, xdelta3Wasm.ts) encodes pages whose base plus new
// version fit its fixed memory; open-vcdiff (wasm) encodes the rest, and its
// interleaved variant (version byte 'S', 0x53), which standard decoders cannot
// read, is rewritten into the standard layout (vcdiffStandardLayout.ts).
// open-vcdiff decodes: both the standard format and the interleaved variant
// (what earlier Coilgun versions sent), see docs/PROTOCOL.md.

const ENCODER_FAILED_HINT = 'the wasm encoder reported'

class VcdiffCodec implements Codec {
  readonly name = 'vcdiff' as const
  readonly available = true
  readonly unavailableReason = undefined
  readonly #encoder: WasmRunner
  readonly #decoder: WasmRunner
  readonly #xdelta3: Xdelta3Encoder | undefined

  constructor (encoder: WasmRunner, decoder: WasmRunner, xdelta3: Xdelta3Encoder | undefined) {
    this.#encoder = encoder
    this.#decoder = decoder
    this.#xdelta3 = xdelta3
  }

  encode (base: Uint8Array, target: Uint8Array): Uint8Array {
    const smaller = this.#xdelta3?.encode(base, target)
    if (smaller !== undefined) return smaller
    if (this.#encoder.aborted !== undefined) throw new ERR_CODEC_UNAVAILABLE('vcdiff', this.#encoder.aborted)
    let out: { result: Uint8Array, messages: string[] }
    try {
      out = this.#encoder.call(base, target)
    } catch (err) {
      throw new ERR_ENCODE_FAILED('vcdiff', (err as Error).message)
    }
    if (out.messages.length > 0 || out.result.length < 5) {
      throw new ERR_ENCODE_FAILED('vcdiff', `${ENCODER_FAILED_HINT}: ${out.messages.join('; ') || 'empty output'}`)
    }
    try {
      return toStandardVcdiff(out.result)
    } catch (err) {
      throw new ERR_ENCODE_FAILED('vcdiff', `rewriting into the standard layout: ${(err as Error).message}`)
    }
  }

  decode (base: Uint8Array, delta: Uint8Array, limits: DecodeOptions): Uint8Array {
    if (this.#decoder.aborted !== undefined) throw new ERR_CODEC_UNAVAILABLE('vcdiff', this.#decoder.aborted)
    // Refuses bombs and malformed framing before wasm sees the bytes.
    const summary = readVcdiffSummary(delta, base.length, limits.maxOutputBytes)
    let out: { result: Uint8Array, messages: string[] }
    try {
      out = this.#decoder.call(base, delta)
    } catch (err) {
      throw new ERR_DELTA_CORRUPT('vcdiff', `wasm decoder failed: ${(err as Error).message}`)
    }
    // vcdiff-wasm signals failure only by printing and returning a short buffer.
    if (out.messages.length > 0) throw new ERR_DELTA_CORRUPT('vcdiff', out.messages.join('; ').replace(/^ERROR: /, ''))
    if (out.result.length !== summary.targetLength) {
      throw new ERR_DELTA_CORRUPT('vcdiff', `decoded ${out.result.length} bytes, the delta announces ${summary.targetLength}`)
    }
    return out.result
  }
}

let loading: Promise<Codec> | undefined

/** The vcdiff codec; the wasm modules are instantiated once per process and reused. */
export function loadVcdiff (): Promise<Codec> {
  loading ??= Promise.all([WasmRunner.load('encode'), WasmRunner.load('decode'), Xdelta3Encoder.load()])
    .then(([encoder, decoder, xdelta3]) => new VcdiffCodec(encoder, decoder, xdelta3.encoder), function retryLaterOnLoadFailure (err: unknown) {
      loading = undefined
      throw err
    })
  return loading
}
