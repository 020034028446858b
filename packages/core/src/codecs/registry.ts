import { ERR_UNKNOWN_CODEC } from '../errors.ts'
import type { Codec, CodecName } from './codec.ts'
import { CODEC_NAMES } from './codec.ts'
import { createDcbCodec, createDczCodec } from './dictionaryCodecs.ts'
import { loadVcdiff } from './vcdiff.ts'

export function isCodecName (name: string): name is CodecName {
  return (CODEC_NAMES as readonly string[]).includes(name)
}

/**
 * Loads the named codecs (all known codecs by default). Unknown names throw
 * COILGUN_ERR_UNKNOWN_CODEC; codecs the runtime cannot support are returned with
 * `available: false`, so callers can report them instead of crashing.
 */
export async function loadCodecs (names: readonly string[] = CODEC_NAMES): Promise<Map<CodecName, Codec>> {
  const codecs = new Map<CodecName, Codec>()
  for (const name of names) {
    if (!isCodecName(name)) throw new ERR_UNKNOWN_CODEC(name, CODEC_NAMES.join(', '))
    codecs.set(name, await loadCodec(name))
  }
  return codecs
}

export async function loadCodec (name: CodecName): Promise<Codec> {
  switch (name) {
    case 'vcdiff': return loadVcdiff()
    case 'dcz': return createDczCodec()
    case 'dcb': return createDcbCodec()
  }
}
