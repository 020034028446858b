import type { IncomingHttpHeaders } from 'node:http'
import { LRUCache } from 'lru-cache'
import type { Codec } from '../codecs/codec.ts'
import { formatReprDigest, formatStrongETag, parseCoilgunETag, sha256, versionId } from '../digest.ts'
import { acceptsEncoding, negotiateEncoding, parseAcceptEncoding } from '../headers/acceptEncoding.ts'
import { parseAvailableDictionary } from '../headers/availableDictionary.ts'
import { wantsNoSha256Digest } from '../headers/reprDigest.ts'
import { parseIfNoneMatch } from '../headers/entityTags.ts'
import { acceptsIm, formatIm, parseAIm } from '../headers/instanceManipulation.ts'
import { mergeVary } from '../headers/vary.ts'
import { chooseEncoding, deltaCodecLabel } from '../policy/chooseEncoding.ts'
import type { EncodedDelta } from '../policy/chooseEncoding.ts'
import { methodEligible } from '../policy/eligibility.ts'
import type { PrivacyResponseHeaders } from '../policy/privacy.ts'
import { LEAN_ANSWER_HEADER, ORIGIN_ETAG_HEADER, ORIGIN_STATUS_HEADER, SECRET_HEADER, STATUS_IM_USED } from '../protocol.ts'
import { compressFullBody, FULL_CODINGS, FullBodyCompressor } from './fullBody.ts'
import type { ResolvedOriginOptions } from './originOptions.ts'
import type { WarnLogger } from './senderAuth.ts'
import { SenderAuth } from './senderAuth.ts'
import { StoreGuard } from './storeGuard.ts'
import { ownedBytes } from '../ownedBytes.ts'
import { ENTRY_OVERHEAD_BYTES } from '../store/memoryStore.ts'
import { deltaFromResult, EncoderPool } from './encoderPool.ts'
import { DeltaBackoff } from './deltaBackoff.ts'

export interface OriginRequestInfo {
  method: string
  headers: IncomingHttpHeaders
  /** The resource's cache key: `resourceKey(host, target)` from `cacheKey.ts`. */
  resourceKey: string
  /** Path and query of the request target, for the privacy rule's private paths. */
  path?: string | undefined
  remoteAddress?: string | undefined
}

export interface OriginResponseInfo {
  status: number
  contentType: string | undefined
  contentEncoding: string | undefined
  contentRange: string | undefined
  /** The application's own ETag, if it set one. */
  etag: string | undefined
  /** The application's Vary, which answers extend rather than replace. */
  vary?: string | undefined
  /**
   * All response header fields (lower-case names), for the privacy rule
   * (`Cache-Control`, `Set-Cookie`, `Vary`; issue 11). Without them only `vary` is seen.
   */
  headers?: PrivacyResponseHeaders | undefined
}

/** What to send to an authenticated sender instead of the application's response. */
export interface OriginAnswer {
  kind: 'delta' | 'full' | 'not-modified'
  status: number
  /** Headers to set, lower-case names. */
  headers: Record<string, string>
  /** Headers of the application's response to remove. */
  remove: readonly string[]
  /** The bytes to send (undefined for a 304). */
  body: Uint8Array | undefined
  delta: EncodedDelta | undefined
  /** The exchange was private (the privacy rule, issue 11): name it only in aggregate. */
  private: boolean
}

/** Memo value for "no delta beats the full body" (lru-cache cannot store undefined). */
const NO_DELTA = Symbol('no delta')

function memoEntrySize (value: EncodedDelta | typeof NO_DELTA, key: string): number {
  return (value === NO_DELTA ? 0 : value.body.byteLength) + key.length + ENTRY_OVERHEAD_BYTES
}

/** An encode refused by a saturated lane: not evidence about the resource, not memoized. */
const ENCODE_SKIPPED = Symbol('encode skipped')

/** A delta this many times smaller than the page is a change, not a rewrite. */
const PLAIN_CHANGE_FRACTION = 32

const REMOVE_ALWAYS: readonly string[] = Object.freeze(['content-length', 'etag', 'content-encoding'])

/**
 * The origin side of the protocol (docs/PROTOCOL.md), shared by the Fastify plugin,
 * the Express middleware and the listener: it authenticates senders, decides what
 * is eligible, keeps versions and turns a full response into the smallest answer.
 */
export class OriginResponder {
  readonly options: ResolvedOriginOptions
  readonly #auth: SenderAuth
  readonly #full: FullBodyCompressor
  readonly #store: StoreGuard
  readonly #vcdiff: Codec | undefined
  readonly #dictionaryCodecs: readonly Codec[]
  readonly #memo: LRUCache<string, EncodedDelta | typeof NO_DELTA> | undefined
  readonly #inflight = new Map<string, Promise<EncodedDelta | undefined>>()
  readonly #pool: EncoderPool | undefined
  readonly #log: WarnLogger | undefined
  readonly #backoff: DeltaBackoff
  #encodes = 0
  #encodeBusy = 0
  #encodeTimeouts = 0
  #backoffSkips = 0
  #memoHits = 0
  #offloaded = 0
  #fullCompressions = 0

  constructor (options: ResolvedOriginOptions, log?: WarnLogger) {
    this.options = options
    this.#auth = new SenderAuth(options.secrets, log)
    this.#full = new FullBodyCompressor(options.fullCacheBytes)
    this.#store = new StoreGuard(options.store, options.storeTimeoutMs, log)
    this.#vcdiff = options.codecs.find(c => c.name === 'vcdiff')
    this.#dictionaryCodecs = options.codecs.filter(c => c.name === 'dcz' || c.name === 'dcb')
    this.#log = log
    this.#pool = options.encodeWorkers > 0
      ? new EncoderPool({ workers: options.encodeWorkers, largeBytes: options.largeEncodeBytes, queueMax: options.encodeQueueMax, timeoutMs: options.encodeTimeoutMs, codecs: options.codecs.map(c => c.name) })
      : undefined
    this.#backoff = new DeltaBackoff(options.deltaBackoffMs)
    this.#memo = options.deltaMemoBytes > 0
      ? new LRUCache<string, EncodedDelta | typeof NO_DELTA>({ maxSize: options.deltaMemoBytes, sizeCalculation: memoEntrySize })
      : undefined
  }

  /** Accepts these secrets from now on, current first (SIGHUP reload of a secret file, issue 16). */
  replaceSecrets (secrets: readonly string[]): void {
    this.#auth.replaceSecrets(secrets)
  }

  /**
   * True for a GET from an authenticated sender: only such requests are ever
   * buffered or answered differently. Everyone else gets the app's response as is.
   */
  requestEligible (req: Pick<OriginRequestInfo, 'method' | 'headers' | 'remoteAddress'>): boolean {
    const secret = req.headers[SECRET_HEADER]
    if (secret === undefined) return false
    if (!this.#auth.authenticate(secret, req.remoteAddress)) return false
    return methodEligible(req.method) && req.method === 'GET'
  }

  /**
   * True when the app's response may be replaced: 200, not already content-coded,
   * not a range, an eligible type. Length is checked when known.
   */
  responseEligible (res: OriginResponseInfo, contentLength?: number): boolean {
    if (res.status !== 200) return false
    if (res.contentEncoding !== undefined && res.contentEncoding !== '' && res.contentEncoding.toLowerCase() !== 'identity') return false
    if (res.contentRange !== undefined) return false
    if (!this.options.eligibility.contentTypeEligible(res.contentType)) return false
    if (contentLength !== undefined && !this.options.eligibility.sizeEligible(contentLength)) return false
    return true
  }

  /** The answer for an authenticated sender, given the app's full identity body. */
  async answer (req: OriginRequestInfo, res: OriginResponseInfo, body: Uint8Array): Promise<OriginAnswer> {
    const hash = sha256(body)
    const id = versionId(hash)
    const tag = formatStrongETag(hash)
    // Issue 11: one visitor's page is stored briefly, never memoized or cached as a
    // compressed body for others, and with privateDeltas off not stored at all.
    const isPrivate = this.options.privacy.isPrivate({ path: req.path ?? '/', headers: req.headers }, res.headers ?? { vary: res.vary })
    const deltasAllowed = !isPrivate || this.options.privateDeltas
    if (deltasAllowed) this.#store.remember(req.resourceKey, id, body, isPrivate)

    const h = req.headers
    // Issue 17: a lean sender (LEAN_ANSWER_HEADER) gets each identifier once: the ETag.
    const lean = wantsNoSha256Digest(h[LEAN_ANSWER_HEADER])
    const headers: Record<string, string> = { etag: tag }
    if (!lean) headers['repr-digest'] = formatReprDigest(hash)
    if (res.etag !== undefined) headers[ORIGIN_ETAG_HEADER] = res.etag

    const aIm = parseAIm(h['a-im'])
    const wantsVcdiff = this.#vcdiff !== undefined && acceptsIm(aIm, 'vcdiff')
    // `IM: vcdiff, gzip` only for a sender whose A-IM accepts gzip (RFC 3229 section 10.5.3).
    const wantsGzipIm = this.options.secondaryCompression && acceptsIm(aIm, 'gzip')
    const acceptEncoding = parseAcceptEncoding(h['accept-encoding'])
    const dictionaryCodecs = this.#dictionaryCodecs.filter(c => acceptsEncoding(acceptEncoding, c.name))

    // RFC 3229 section 4: the sender names the base it holds with If-None-Match;
    // RFC 9842 section 2.2 with Available-Dictionary. Only our own cg tags name
    // versions we can have stored.
    const inmBases = wantsVcdiff ? parseIfNoneMatch(h['if-none-match']).tags.filter(t => !t.weak).map(t => parseCoilgunETag(t.opaque)).filter((b): b is Buffer => b !== undefined) : []
    const dictionaryBase = dictionaryCodecs.length > 0 ? parseAvailableDictionary(h['available-dictionary']) : undefined

    if (inmBases.some(b => b.equals(hash)) || dictionaryBase?.equals(hash) === true) {
      if (!lean) headers[ORIGIN_STATUS_HEADER] = 'not-modified'
      return { kind: 'not-modified', status: 304, headers, remove: REMOVE_ALWAYS, body: undefined, delta: undefined, private: isPrivate }
    }

    let fullCoding = negotiateEncoding(acceptEncoding, FULL_CODINGS) ?? 'identity'
    // The full body is compressed only when it is what goes out, or when the delta
    // is not plainly smaller than it would be: compressing a 400 KB page costs ten
    // times what encoding its delta does, and a sender that holds a base almost
    // always gets the delta.
    let full: Uint8Array | undefined = fullCoding === 'identity' ? body : isPrivate ? undefined : this.#full.cached(id, fullCoding)

    let chosen: { delta: EncodedDelta, baseHash: Buffer } | undefined
    const vcdiffBase = inmBases[0]
    // Issue 12: a resource whose deltas were not useful lately is answered in full
    // without reading a base or encoding, for a back-off period.
    let attempted = false
    const wantsDelta = deltasAllowed && (vcdiffBase !== undefined || dictionaryBase !== undefined)
    if (wantsDelta && this.#backoff.active(req.resourceKey)) this.#backoffSkips++
    else if (wantsDelta) {
      const wanted = vcdiffBase !== undefined && dictionaryBase !== undefined && !vcdiffBase.equals(dictionaryBase)
        ? [vcdiffBase, dictionaryBase]
        : [vcdiffBase ?? dictionaryBase!]
      for (const baseHash of wanted) {
        const base = await this.#store.getVersion(versionId(baseHash))
        if (base === undefined) continue
        const codecs: Codec[] = []
        if (vcdiffBase?.equals(baseHash) === true && this.#vcdiff !== undefined) codecs.push(this.#vcdiff)
        if (dictionaryBase?.equals(baseHash) === true) codecs.push(...dictionaryCodecs)
        // Bounded by the identity size, so that the memo entry serves whether or not
        // the full body is compressed yet; the comparison with it comes below.
        const delta = isPrivate
          ? await this.#encode(base, baseHash, body, codecs, wantsGzipIm)
          : await this.#encodeMemoized(base, baseHash, body, id, codecs, wantsGzipIm)
        if (delta === ENCODE_SKIPPED) continue
        attempted = true
        if (delta !== undefined && (chosen === undefined || delta.body.length < chosen.delta.body.length)) chosen = { delta, baseHash }
      }
    }
    if (chosen !== undefined && full === undefined && !this.#plainlySmaller(chosen.delta.body.length, body.length, req.resourceKey, fullCoding)) {
      full = await this.#compressFull(id, body, fullCoding, req.resourceKey, !isPrivate)
      // Not compressed within the encode budget: the delta competes with the identity body.
      if (full === undefined) { fullCoding = 'identity'; full = body }
    }
    // A delta is sent only when it is smaller than the full body as it would travel.
    if (chosen !== undefined && full !== undefined && chosen.delta.body.length >= full.length) chosen = undefined
    // Useful: a delta at most half the full body as it would travel (or plainly
    // smaller, when the full body was not compressed); anything else backs off.
    if (attempted) {
      if (chosen !== undefined && (full === undefined || chosen.delta.body.length * 2 <= full.length)) this.#backoff.forgive(req.resourceKey)
      else this.#backoff.strike(req.resourceKey)
    }

    if (chosen === undefined) {
      if (full === undefined) {
        full = await this.#compressFull(id, body, fullCoding, req.resourceKey, !isPrivate)
        if (full === undefined) { fullCoding = 'identity'; full = body }
      }
      if (!lean) headers[ORIGIN_STATUS_HEADER] = 'full'
      if (fullCoding !== 'identity') {
        headers['content-encoding'] = fullCoding
        headers.vary = mergeVary(res.vary, 'Accept-Encoding')
      }
      return { kind: 'full', status: res.status, headers, remove: REMOVE_ALWAYS, body: full, delta: undefined, private: isPrivate }
    }

    const { delta, baseHash } = chosen
    if (delta.codec === 'vcdiff') {
      headers.im = formatIm(delta.secondary === 'gzip' ? ['vcdiff', 'gzip'] : ['vcdiff'])
      if (!lean) {
        headers['delta-base'] = formatStrongETag(baseHash)
        headers[ORIGIN_STATUS_HEADER] = `delta; codec=${deltaCodecLabel(delta)}`
      }
      return { kind: 'delta', status: STATUS_IM_USED, headers, remove: REMOVE_ALWAYS, body: delta.body, delta, private: isPrivate }
    }
    headers['content-encoding'] = delta.codec
    headers.vary = mergeVary(res.vary, 'Accept-Encoding, Available-Dictionary')
    if (!lean) headers[ORIGIN_STATUS_HEADER] = `delta; codec=${delta.codec}`
    return { kind: 'delta', status: res.status, headers, remove: REMOVE_ALWAYS, body: delta.body, delta, private: isPrivate }
  }

  /** Counters for tests and metrics. */
  stats (): { encodes: number, memoHits: number, offloaded: number, fullCompressions: number, storeFailures: number, encodeBusy: number, encodeTimeouts: number, backoffSkips: number } {
    return {
      encodes: this.#encodes,
      memoHits: this.#memoHits,
      offloaded: this.#offloaded,
      fullCompressions: this.#fullCompressions,
      storeFailures: this.#store.failures,
      encodeBusy: this.#encodeBusy,
      encodeTimeouts: this.#encodeTimeouts,
      backoffSkips: this.#backoffSkips
    }
  }

  /**
   * Bursts: many senders (or one, many times) asking for the same base -> target
   * get one encode; the result (or "no delta is smaller than the page") is
   * memoized per base, target and codec set.
   */
  async #encodeMemoized (base: Uint8Array, baseHash: Buffer, target: Uint8Array, targetId: string, codecs: readonly Codec[], secondaryCompression: boolean): Promise<EncodedDelta | undefined | typeof ENCODE_SKIPPED> {
    const key = `${versionId(baseHash)}:${targetId}:${codecs.map(c => c.name).join('+')}:${secondaryCompression ? 'gz' : ''}`
    const hit = this.#memo?.get(key)
    if (hit !== undefined) {
      this.#memoHits++
      return hit === NO_DELTA ? undefined : hit
    }
    // Concurrent identical requests wait for the encode already under way.
    const running = this.#inflight.get(key)
    if (running !== undefined) {
      this.#memoHits++
      return running
    }
    // Issue 12: a task refused by a saturated lane skips the delta; nothing is memoized.
    this.#encodes++
    const encoding = this.#encode(base, baseHash, target, codecs, secondaryCompression)
    // Waiters for the same encode see a skipped or failed one as "no delta" (a full answer).
    this.#inflight.set(key, encoding.then(withoutSkip, noDelta))
    try {
      let delta = await encoding
      if (delta === ENCODE_SKIPPED) return delta
      // An encoder's output may be a view of a larger buffer (zlib's 16 KiB chunks):
      // the memo keeps only the bytes it counts (issue 12).
      if (delta !== undefined) delta = { ...delta, body: ownedBytes(delta.body) }
      this.#memo?.set(key, delta ?? NO_DELTA)
      return delta
    } finally {
      this.#inflight.delete(key)
    }
  }

  async #encode (base: Uint8Array, baseHash: Buffer, target: Uint8Array, codecs: readonly Codec[], secondaryCompression: boolean): Promise<EncodedDelta | undefined | typeof ENCODE_SKIPPED> {
    const fullSize = target.length
    // Large bodies are encoded in a worker (issue 12); small ones here, cheaper than the hop.
    const pool = this.#pool !== undefined && fullSize >= this.options.offloadMinBytes ? this.#pool : undefined
    if (pool !== undefined) {
      try {
        const result = await pool.run({ kind: 'delta', base, baseHash, target, codecs: codecs.map(c => c.name), fullSize, secondaryCompression })
        this.#offloaded++
        return deltaFromResult(result)
      } catch (err) {
        // Over budget: a full answer, never a second encode on the main thread.
        const code = (err as { code?: string }).code
        if (code === 'COILGUN_ERR_ENCODE_BUSY') { this.#encodeBusy++; return ENCODE_SKIPPED }
        if (code === 'COILGUN_ERR_ENCODE_TIMEOUT') { this.#encodeTimeouts++; return undefined }
        this.#log?.warn({ err }, 'coilgun: encoder worker failed; encoding on the main thread')
      }
    }
    return chooseEncoding({ base, baseHash, target, codecs, fullSize, secondaryCompression })
  }

  /**
   * True when a delta of `deltaSize` is certainly smaller than the compressed full
   * body would be: at most 1/32 of the page (a change, not a rewrite), and at most
   * half the size this resource compressed to last time. Versions of one URL
   * compress alike, and a page that is mostly its previous version compresses like
   * it; when the resource was never compressed here, nothing is assumed.
   */
  #plainlySmaller (deltaSize: number, size: number, resourceKey: string, coding: string): boolean {
    if (deltaSize * PLAIN_CHANGE_FRACTION > size) return false
    const ratio = this.#full.ratio(resourceKey, coding)
    return ratio !== undefined && deltaSize * 2 <= ratio * size
  }

  async #compressFull (id: string, body: Uint8Array, coding: string, resourceKey: string, cache = true): Promise<Uint8Array | undefined> {
    if (coding !== 'br' && coding !== 'gzip') return body
    const cached = cache ? this.#full.cached(id, coding) : undefined
    if (cached !== undefined) return cached
    this.#fullCompressions++
    if (this.#pool !== undefined && body.length >= this.options.offloadMinBytes) {
      try {
        const result = await this.#pool.run({ kind: 'full', target: body, coding })
        if (result.ok && result.body !== undefined) {
          this.#offloaded++
          return cache ? this.#full.store(id, coding, result.body, body.length, resourceKey) : result.body
        }
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'COILGUN_ERR_ENCODE_BUSY') { this.#encodeBusy++; return undefined }
        if (code === 'COILGUN_ERR_ENCODE_TIMEOUT') { this.#encodeTimeouts++; return undefined }
        this.#log?.warn({ err }, 'coilgun: encoder worker failed; compressing on the main thread')
      }
    }
    return cache ? this.#full.compress(id, body, coding, resourceKey) : compressFullBody(body, coding)
  }

  /** Closes what this responder created (the embedded store, caches). */
  async close (): Promise<void> {
    this.#full.clear()
    this.#memo?.clear()
    this.#backoff.clear()
    await this.#pool?.close()
    if (this.options.ownsStore) await this.options.store.close()
  }
}

function withoutSkip (delta: EncodedDelta | undefined | typeof ENCODE_SKIPPED): EncodedDelta | undefined {
  return delta === ENCODE_SKIPPED ? undefined : delta
}

function noDelta (): undefined {
  return undefined
}
