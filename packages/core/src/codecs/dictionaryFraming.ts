import { ERR_DELTA_CORRUPT, ERR_DICTIONARY_MISMATCH } from '../errors.ts'

// RFC 9842 section 4: a dictionary-compressed response starts with a fixed magic
// and the SHA-256 of the dictionary it was compressed with, so a client can tell a
// wrong dictionary from corrupt data before decompressing.

/** RFC 9842 section 4.1, `dcb`: 0xff 'D' 'C' 'B' */
export const DCB_MAGIC = Uint8Array.of(0xff, 0x44, 0x43, 0x42)
/** RFC 9842 section 4.2, `dcz`: a zstd skippable frame header of 32 bytes (0x184D2A5E, length 32). */
export const DCZ_MAGIC = Uint8Array.of(0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00)
const HASH_LENGTH = 32

export function frame (magic: Uint8Array, dictionaryHash: Uint8Array, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(magic.length + HASH_LENGTH + payload.length)
  out.set(magic, 0)
  out.set(dictionaryHash, magic.length)
  out.set(payload, magic.length + HASH_LENGTH)
  return out
}

/** Checks magic and dictionary hash, returns the compressed payload after the header. */
export function unframe (codec: string, magic: Uint8Array, dictionaryHash: Uint8Array, framed: Uint8Array): Uint8Array {
  const headerLength = magic.length + HASH_LENGTH
  if (framed.length < headerLength) throw new ERR_DELTA_CORRUPT(codec, 'shorter than the RFC 9842 header')
  for (let i = 0; i < magic.length; i++) {
    if (framed[i] !== magic[i]) throw new ERR_DELTA_CORRUPT(codec, 'bad RFC 9842 magic')
  }
  for (let i = 0; i < HASH_LENGTH; i++) {
    if (framed[magic.length + i] !== dictionaryHash[i]) throw new ERR_DICTIONARY_MISMATCH(codec, 'dictionary hash in the RFC 9842 header differs')
  }
  return framed.subarray(headerLength)
}
