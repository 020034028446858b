import type { Codec, CodecName } from '@coilgun/core'

/**
 * Which codecs a delta request offers (issue 17, the header diet). Offering both
 * families names the held version twice, `If-None-Match` with `A-IM` for vcdiff
 * (RFC 3229) and `Available-Dictionary` for dcz/dcb (RFC 9842): 42 bytes more per
 * exchange over HTTP/2, about 90 over HTTP/1.1. So what the origin last answered a
 * resource with decides:
 * - a dcz or dcb delta: offer the dictionary codecs alone (the origin has them and
 *   they won);
 * - a vcdiff delta: offer vcdiff alone while no dictionary delta has come from the
 *   upstreams at all (they lack the codecs), both once one has (vcdiff won one pair,
 *   dcb may win the next);
 * - anything else (a full page, nothing yet): both. An origin that lost a codec
 *   therefore costs one full answer, and a resource never stays without deltas.
 */
export class DeltaOffers {
  readonly #all: readonly Codec[]
  readonly #vcdiff: readonly Codec[]
  readonly #dictionary: readonly Codec[]
  #dictionaryDeltaSeen = false

  constructor (enabled: readonly Codec[]) {
    this.#all = Object.freeze([...enabled])
    const vcdiff = enabled.filter(c => c.name === 'vcdiff')
    const dictionary = enabled.filter(c => c.name !== 'vcdiff')
    this.#vcdiff = Object.freeze(vcdiff.length === 0 ? this.#all : vcdiff)
    this.#dictionary = Object.freeze(dictionary.length === 0 ? this.#all : dictionary)
  }

  /** Every enabled codec: for a first request, or one that names no base. */
  get all (): readonly Codec[] {
    return this.#all
  }

  /** The codecs to offer for a resource whose last delta came by `lastDelta`. */
  after (lastDelta: CodecName | undefined): readonly Codec[] {
    if (lastDelta === undefined) return this.#all
    if (lastDelta !== 'vcdiff') return this.#dictionary
    return this.#dictionaryDeltaSeen ? this.#all : this.#vcdiff
  }

  /**
   * Notes a verified answer; returns the codec to keep with the version it brought:
   * the delta's, for a 304 the one kept with the base it confirmed, else undefined.
   */
  received (kind: 'delta' | 'full' | 'not-modified', codec: CodecName | undefined, base: { readonly deltaCodec?: CodecName | undefined } | undefined): CodecName | undefined {
    if (kind === 'delta') {
      if (codec !== undefined && codec !== 'vcdiff') this.#dictionaryDeltaSeen = true
      return codec
    }
    return kind === 'not-modified' ? base?.deltaCodec : undefined
  }
}
