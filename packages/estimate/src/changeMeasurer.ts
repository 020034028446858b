import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Codec, CodecName, HeldVersion } from '@coilgun/core'
import { CODEC_NAMES, deltaCodecLabel, deltaRequestHeaders, formatAvailableDictionary, loadCodec, MemoryVersionStore, OriginResponder, rebuildFromAnswer, resolveOriginOptions, versionId } from '@coilgun/core'
import { headerLineBytes, statusLineExtraBytes } from './headerBytes.ts'

// What one change of one resource (version N-1 to version N) costs with each method.
// The Coilgun figures come from Coilgun's own code, not from a model of it: the
// sender's request headers (`deltaRequestHeaders`), the origin's answer
// (`OriginResponder`, which sends the full page compressed when no delta is smaller)
// and the sender's check of that answer (`rebuildFromAnswer`, which must rebuild
// version N exactly, or the figure is not reported).

/** gzip level of the "compressing proxy" figure: zlib's default, what most proxies use. */
export const GZIP_LEVEL = 6
/** brotli quality of the "compressing proxy" figure: the dynamic-content setting of Coilgun's own origin. */
export const BROTLI_QUALITY = 5
/** Length of the shared secret in the measured link headers (32 random bytes, base64url). */
export const SECRET_LENGTH = 43

export const METHOD_NAMES = ['identity', 'gzip', 'br', 'link-vcdiff', 'link-dcz', 'link-dcb', 'visitor-dcz', 'visitor-dcb'] as const
export type MethodName = typeof METHOD_NAMES[number]

/** What each method means, for the table, the JSON and the HTML report. */
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = Object.freeze({
  identity: 'uncompressed page',
  gzip: `gzip -${GZIP_LEVEL} of the page (a compressing proxy)`,
  br: `brotli q${BROTLI_QUALITY} of the page (a compressing proxy)`,
  'link-vcdiff': 'Coilgun link, vcdiff (RFC 3229), headers included',
  'link-dcz': 'Coilgun link, dcz (RFC 9842 zstd), headers included',
  'link-dcb': 'Coilgun link, dcb (RFC 9842 brotli), headers included',
  'visitor-dcz': 'visitor back after one version, dcz dictionary, headers included',
  'visitor-dcb': 'visitor back after one version, dcb dictionary, headers included'
})

export interface MethodFigure {
  /** Bytes of the body as sent. */
  body: number
  /** Bytes of the header lines this method adds (0 for identity, gzip and br). */
  headers: number
  /** body + headers. */
  total: number
  /** What was sent: `identity`, `gzip`, `br`, `delta vcdiff+gzip`, `full br`, `dcz`, ... */
  form: string
}

export interface ChangeFigures {
  /** Hex SHA-256 of version N-1 and of version N. */
  from: string
  to: string
  /** Bytes of version N. */
  size: number
  methods: Partial<Record<MethodName, MethodFigure>>
}

export interface CodecStatus {
  name: CodecName
  available: boolean
  reason: string | undefined
}

export interface Version {
  body: Uint8Array
  hash: Buffer
}

const gzip = promisify(zlib.gzip)
const brotli = promisify(zlib.brotliCompress)

interface LinkPeer {
  codec: Codec
  responder: OriginResponder
  store: MemoryVersionStore
}

/** One per run: the codecs are probed and the origin responders built once. */
export class ChangeMeasurer {
  readonly codecs: readonly CodecStatus[]
  /** The methods this runtime can measure (dcz/dcb need Node >= 22.19). */
  readonly methods: readonly MethodName[]
  readonly #links: ReadonlyMap<CodecName, LinkPeer>
  readonly #secret: string
  readonly #maxBytes: number

  private constructor (codecs: readonly Codec[], links: ReadonlyMap<CodecName, LinkPeer>, secret: string, maxBytes: number) {
    this.codecs = Object.freeze(codecs.map(c => ({ name: c.name, available: c.available, reason: c.unavailableReason })))
    this.#links = links
    this.#secret = secret
    this.#maxBytes = maxBytes
    const available = new Set(codecs.filter(c => c.available).map(c => c.name))
    this.methods = Object.freeze(METHOD_NAMES.filter(m => {
      const codec = m.replace(/^(link|visitor)-/, '')
      return codec === m || available.has(codec as CodecName)
    }))
  }

  /** `maxBytes` is the largest version; the stores keep the last two of every resource. */
  static async create (maxBytes: number): Promise<ChangeMeasurer> {
    const secret = randomBytes(32).toString('base64url')
    const codecs = await Promise.all(CODEC_NAMES.map(name => loadCodec(name)))
    const links = new Map<CodecName, LinkPeer>()
    for (const codec of codecs.filter(c => c.available)) {
      const store = new MemoryVersionStore({ maxBytes: Math.max(64 * 1024 * 1024, 4 * maxBytes) })
      // One codec per responder, so each figure is that codec alone. Encoding inline
      // and a long store timeout: the estimate is not latency-bound, and a timed-out
      // store read would turn a delta into a full answer.
      const options = await resolveOriginOptions({ secret, codecs: [codec.name], store, encodeWorkers: 0, storeTimeoutMs: 60_000, deltaMemoBytes: 0, maxBodyBytes: Math.max(maxBytes, 1) })
      links.set(codec.name, { codec, responder: new OriginResponder(options), store })
    }
    return new ChangeMeasurer(codecs, links, secret, maxBytes)
  }

  /** Figures for the change from `prev` to `next` of the resource `resourceKey` (served at `path`). */
  async measure (resourceKey: string, path: string, prev: Version, next: Version): Promise<ChangeFigures> {
    const methods: Partial<Record<MethodName, MethodFigure>> = {}
    methods.identity = { body: next.body.length, headers: 0, total: next.body.length, form: 'identity' }
    const gz = (await gzip(next.body, { level: GZIP_LEVEL })).length
    methods.gzip = { body: gz, headers: 0, total: gz, form: 'gzip' }
    const br = (await brotli(next.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: next.body.length, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } })).length
    methods.br = { body: br, headers: 0, total: br, form: 'br' }
    for (const [name, peer] of this.#links) {
      methods[`link-${name}`] = await this.#measureLink(peer, resourceKey, prev, next)
      if (name !== 'vcdiff') methods[`visitor-${name}`] = this.#measureVisitor(peer.codec, path, prev, next)
    }
    return { from: versionId(prev.hash), to: versionId(next.hash), size: next.body.length, methods }
  }

  /**
   * The sender holds version N-1 and asks for version N, as in docs/PROTOCOL.md.
   * Header bytes: every line the sender's request carries for Coilgun (secret,
   * Want-Repr-Digest, A-IM/If-None-Match or Available-Dictionary, Accept-Encoding)
   * plus every line the origin's lean answer sets (ETag, IM or Content-Encoding/Vary),
   * plus the longer status line of a 226.
   */
  async #measureLink (peer: LinkPeer, resourceKey: string, prev: Version, next: Version): Promise<MethodFigure> {
    await peer.store.putVersion(versionId(prev.hash), prev.body)
    const held: HeldVersion = { body: prev.body, hash: prev.hash }
    const request = deltaRequestHeaders(this.#secret, [peer.codec], held)
    const answer = await peer.responder.answer({ method: 'GET', headers: request, resourceKey }, { status: 200, contentType: undefined, contentEncoding: undefined, contentRange: undefined, etag: undefined }, next.body)
    const body = answer.body ?? new Uint8Array(0)
    const rebuilt = rebuildFromAnswer({ status: answer.status, headers: answer.headers, body }, held, new Map([[peer.codec.name, peer.codec]]), Math.max(this.#maxBytes, next.body.length))
    if (!next.hash.equals(rebuilt.hash)) throw new Error(`internal: the ${peer.codec.name} answer did not rebuild version ${versionId(next.hash)}`)
    const headers = headerLineBytes(request) + headerLineBytes(answer.headers) + statusLineExtraBytes(answer.status)
    const form = answer.kind === 'delta'
      ? `delta ${answer.delta === undefined ? peer.codec.name : deltaCodecLabel(answer.delta)}`
      : `${answer.kind} ${answer.headers['content-encoding'] ?? 'identity'}`
    return { body: body.length, headers, total: body.length + headers, form }
  }

  /**
   * RFC 9842 towards a visitor whose browser kept version N-1 as a dictionary.
   * Header bytes: the request's `Available-Dictionary` (section 2.2) and the answer's
   * `Content-Encoding`, `Vary` (section 6.2) and `Use-As-Dictionary` (section 2.1,
   * so that version N becomes the next dictionary).
   */
  #measureVisitor (codec: Codec, path: string, prev: Version, next: Version): MethodFigure {
    const body = codec.encode(prev.body, next.body, { baseHash: prev.hash }).length
    const headers = headerLineBytes({ 'available-dictionary': formatAvailableDictionary(prev.hash) }) +
      headerLineBytes({ 'content-encoding': codec.name, vary: 'accept-encoding, available-dictionary', 'use-as-dictionary': `match="${path}"` })
    return { body, headers, total: body + headers, form: codec.name }
  }

  async close (): Promise<void> {
    for (const peer of this.#links.values()) {
      await peer.responder.close()
      await peer.store.close()
    }
  }
}

