import zlib from 'node:zlib'
import type { Contender, Pair } from './contender.ts'

// What a proxy sends without deltas: the new version compressed on its own, at the
// strongest settings a static-asset pipeline would use. They are the peers that
// every delta figure is read against.

const gzip9: Contender = {
  name: 'gzip -9',
  family: 'full-body',
  unavailable: undefined,
  encode (pair: Pair) {
    return zlib.gzipSync(pair.target, { level: 9 })
  },
  decode (_pair: Pair, packed: Uint8Array) {
    return zlib.gunzipSync(packed)
  }
}

const brotli11: Contender = {
  name: 'brotli 11',
  family: 'full-body',
  unavailable: undefined,
  encode (pair: Pair) {
    return zlib.brotliCompressSync(pair.target, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: pair.target.length
      }
    })
  },
  decode (_pair: Pair, packed: Uint8Array) {
    return zlib.brotliDecompressSync(packed)
  }
}

export function fullBodyContenders (): Contender[] {
  return [gzip9, brotli11]
}
