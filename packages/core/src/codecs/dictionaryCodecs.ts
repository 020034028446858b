import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { sha256 } from '../digest.ts'
import { ERR_CODEC_UNAVAILABLE, ERR_DELTA_CORRUPT, ERR_DELTA_TOO_LARGE, ERR_ENCODE_FAILED } from '../errors.ts'
import type { Codec, CodecName, DecodeOptions, EncodeOptions } from './codec.ts'
import { DEFAULT_DCB_QUALITY, DEFAULT_DCZ_LEVEL, dcbWindowBits, dczTableLog, dczWindowLog } from './dictionaryCodecSettings.ts'
import { DCB_MAGIC, DCZ_MAGIC, frame, unframe } from './dictionaryFraming.ts'

// RFC 9842 dictionary compression with the previous version as the dictionary:
// `dcz` is zstd with a raw-content dictionary, `dcb` brotli with a shared dictionary.
// node:zlib accepts dictionaries for both from Node 22.19 / 24; on older runtimes
// (Node 20) the codecs report themselves unavailable instead of failing.

export { DEFAULT_DCB_QUALITY, DEFAULT_DCZ_LEVEL } from './dictionaryCodecSettings.ts'

const z = zlib as typeof zlib & Record<string, unknown>
type SyncCoder = (input: Uint8Array, options: Record<string, unknown>) => Buffer

interface Engine {
  name: CodecName
  magic: Uint8Array
  compress: SyncCoder | undefined
  decompress: SyncCoder | undefined
  compressOptions (base: Uint8Array, target: Uint8Array, level: number): Record<string, unknown>
}

const constants = zlib.constants as unknown as Record<string, number>

const ENGINES: Record<'dcz' | 'dcb', Engine> = {
  dcz: {
    name: 'dcz',
    magic: DCZ_MAGIC,
    compress: z.zstdCompressSync as SyncCoder | undefined,
    decompress: z.zstdDecompressSync as SyncCoder | undefined,
    compressOptions (base, target, level) {
      return {
        dictionary: base,
        params: {
          [constants.ZSTD_c_compressionLevel ?? 100]: level,
          // Issue 17: the window covers the base, within what RFC 9842 clients accept;
          // the match-finder tables are sized to the page, not to the level.
          [constants.ZSTD_c_windowLog ?? 101]: dczWindowLog(base.length, target.length),
          [constants.ZSTD_c_hashLog ?? 102]: dczTableLog(base.length, target.length),
          [constants.ZSTD_c_chainLog ?? 103]: dczTableLog(base.length, target.length)
        }
      }
    }
  },
  dcb: {
    name: 'dcb',
    magic: DCB_MAGIC,
    compress: zlib.brotliCompressSync as SyncCoder,
    decompress: zlib.brotliDecompressSync as SyncCoder,
    compressOptions (base, target, level) {
      return {
        dictionary: base,
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: level,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: target.length,
          [zlib.constants.BROTLI_PARAM_LGWIN]: dcbWindowBits(base.length, target.length)
        }
      }
    }
  }
}

/**
 * Probes whether this runtime really compresses with a dictionary: an older
 * node:zlib silently ignores the option, which would produce a stream that claims a
 * dictionary it does not use.
 */
function probe (engine: Engine, level: number): string | undefined {
  if (engine.compress === undefined || engine.decompress === undefined) return `node:zlib on Node ${process.versions.node} has no ${engine.name === 'dcz' ? 'zstd' : 'brotli'} support`
  try {
    // Incompressible on its own: only a dictionary that is really used makes the
    // compressed form tiny.
    const dict = randomBytes(2048)
    const target = Buffer.concat([dict, Buffer.from('!')])
    const packed = engine.compress(target, engine.compressOptions(dict, target, level))
    const back = engine.decompress(packed, { dictionary: dict })
    if (!back.equals(target)) return 'round trip with a dictionary failed'
    if (packed.length > dict.length / 4) {
      return engine.name === 'dcb' && level < 5
        ? `brotli quality ${level} does not use dictionaries (5 or more does)`
        : `node:zlib on Node ${process.versions.node} ignores the dictionary option`
    }
    return undefined
  } catch (err) {
    return `node:zlib on Node ${process.versions.node} rejects dictionaries (${(err as Error).message})`
  }
}

class DictionaryCodec implements Codec {
  readonly name: CodecName
  readonly available: boolean
  readonly unavailableReason: string | undefined
  readonly #engine: Engine
  readonly #levelFor: (targetLength: number) => number

  constructor (engine: Engine, levelFor: (targetLength: number) => number) {
    this.#engine = engine
    this.#levelFor = levelFor
    this.name = engine.name
    this.unavailableReason = probe(engine, levelFor(0))
    this.available = this.unavailableReason === undefined
  }

  encode (base: Uint8Array, target: Uint8Array, options?: EncodeOptions): Uint8Array {
    const engine = this.#engine
    if (!this.available || engine.compress === undefined) throw new ERR_CODEC_UNAVAILABLE(this.name, this.unavailableReason ?? 'unavailable')
    let payload: Buffer
    try {
      payload = engine.compress(target, engine.compressOptions(base, target, this.#levelFor(target.length)))
    } catch (err) {
      throw new ERR_ENCODE_FAILED(this.name, (err as Error).message)
    }
    return frame(engine.magic, options?.baseHash ?? sha256(base), payload)
  }

  decode (base: Uint8Array, delta: Uint8Array, options: DecodeOptions): Uint8Array {
    const engine = this.#engine
    if (!this.available || engine.decompress === undefined) throw new ERR_CODEC_UNAVAILABLE(this.name, this.unavailableReason ?? 'unavailable')
    const payload = unframe(this.name, engine.magic, options.baseHash ?? sha256(base), delta)
    try {
      // maxOutputLength stops inflation as soon as the limit is crossed: a tiny
      // delta cannot make us allocate more than the configured maximum.
      return engine.decompress(payload, { dictionary: base, maxOutputLength: Math.max(1, options.maxOutputBytes) })
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new ERR_DELTA_TOO_LARGE(this.name, `more than ${options.maxOutputBytes}`, String(options.maxOutputBytes))
      }
      throw new ERR_DELTA_CORRUPT(this.name, e.message)
    }
  }
}

/** The dcz codec at zstd `level`; window and tables follow the page size (dictionaryCodecSettings.ts). */
export function createDczCodec (level: number = DEFAULT_DCZ_LEVEL): Codec {
  return new DictionaryCodec(ENGINES.dcz, function fixedLevel () { return level })
}

/** The dcb codec at brotli `quality` (5 or more: lower qualities ignore dictionaries). */
export function createDcbCodec (quality: number = DEFAULT_DCB_QUALITY): Codec {
  return new DictionaryCodec(ENGINES.dcb, function fixedQuality () { return quality })
}
