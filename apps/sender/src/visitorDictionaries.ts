import { LRUCache } from 'lru-cache'
import { createDcbCodec, createDczCodec, negotiateEncoding, parseAcceptEncoding, parseAvailableDictionary } from '@coilgun/core'
import type { Codec, FieldValue, HeldVersion } from '@coilgun/core'
import type { VersionCache } from './versionCache.ts'

// Issue 18: deltas all the way to the visitor's browser with RFC 9842 Compression
// Dictionary Transport. A public page served by the sender is marked
// `Use-As-Dictionary` (section 2.1); a browser that kept it sends its SHA-256 in
// `Available-Dictionary` (section 2.2) on the next request for a matching URL, and
// the sender answers the current version as `dcz` or `dcb` against it (section 4),
// which is exactly the delta the link already carries, one hop further.

/** Codings offered to visitors, in the sender's order of preference on a tie. */
export const VISITOR_DICTIONARY_CODINGS = ['dcb', 'dcz'] as const
export type VisitorDictionaryCoding = typeof VISITOR_DICTIONARY_CODINGS[number]

/**
 * How many recent versions of one dictionary scope (host + match pattern) are kept as
 * possible bases. A visitor who comes back after more versions than this gets the
 * normal compressed page.
 */
export const DEFAULT_VISITOR_DICTIONARY_VERSIONS = 6
/** Pages larger than this are never encoded against a visitor dictionary (sender CPU). */
export const MAX_VISITOR_DICTIONARY_PAGE_BYTES = 8 * 1024 * 1024
/** Scopes whose version lists are tracked; each list is a few hashes. */
const MAX_SCOPES = 100_000

/**
 * Keys of this module's entries in the shared VersionCache. They begin with NUL,
 * which cannot begin a resource key (a validated host), so they never collide with
 * held versions, and they are charged against the same byte bound (issue 18).
 */
const HISTORY_PREFIX = '\u0000dict\n'
const ENCODED_PREFIX = '\u0000dict-enc\n'

export interface VisitorDictionaryOptions {
  /** Versions kept per scope. @default DEFAULT_VISITOR_DICTIONARY_VERSIONS */
  readonly versions?: number
  /**
   * When set, eligible responses that have no freshness lifetime of their own get
   * `Cache-Control: max-age=0, stale-while-revalidate=<seconds>`, so that Chromium
   * keeps them as dictionaries (it ignores responses without a freshness lifetime or
   * stale-while-revalidate). Undefined: Cache-Control is never changed.
   */
  readonly staleWhileRevalidateSeconds?: number | undefined
}

export interface VisitorDictionaryInput {
  /** Lower-cased, validated Host of the request. */
  readonly host: string
  /** Request target (origin-form: path and query). */
  readonly url: string
  readonly acceptEncoding: FieldValue
  readonly availableDictionary: FieldValue
  readonly version: HeldVersion
  /** Size of what the visitor would get otherwise (br/gzip/identity): a delta never exceeds it. */
  readonly ordinarySize: number
}

export interface VisitorDictionaryAnswer {
  readonly coding: VisitorDictionaryCoding
  readonly body: Uint8Array
}

/**
 * The URLPattern (RFC 9842 section 2.1.1) that matches this resource's path: the
 * pathname with the pattern syntax characters escaped, so that `*`, `:` or `(` in a
 * real path are literal. The search component is left to the pattern's default, so
 * every query string of a path shares one dictionary scope; the sender only ever
 * uses a dictionary within the scope (host + pattern) it was issued for.
 */
export function dictionaryMatchPattern (url: string): string {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  return path.replace(/[\\*+?(){}:]/g, c => `\\${c}`)
}

/** An RFC 8941 sf-string: only `"` and `\` need escaping; anything else non-printable is refused. */
function sfString (value: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(value)) return undefined
  return `"${value.replace(/[\\"]/g, c => `\\${c}`)}"`
}

/** Whether Cache-Control already gives a freshness lifetime or stale-while-revalidate. */
function hasFreshness (cacheControl: FieldValue): boolean {
  const value = typeof cacheControl === 'string' || cacheControl === undefined ? cacheControl : cacheControl.join(',')
  if (value === undefined) return false
  for (const directive of value.toLowerCase().split(',')) {
    const [name, arg] = directive.trim().split('=', 2) as [string, string | undefined]
    if ((name === 'max-age' || name === 'stale-while-revalidate') && arg !== undefined && Number(arg.replace(/"/g, '')) > 0) return true
  }
  return false
}

function hex (hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}

/**
 * Keeps recent public versions of each dictionary scope and answers visitors who
 * hold one of them with the current version encoded against it. Encodes once per
 * (base, target, coding) and shares the result with every visitor holding that base.
 */
export class VisitorDictionaries {
  readonly #cache: VersionCache
  readonly #versions: number
  readonly #swr: number | undefined
  readonly #codecs: ReadonlyMap<VisitorDictionaryCoding, Codec>
  /** The codings this Node can encode, in preference order (built once, not per request). */
  readonly #codings: readonly VisitorDictionaryCoding[]
  /** scope -> hex hashes of its recent versions, newest last. */
  readonly #scopes: LRUCache<string, string[]>

  constructor (cache: VersionCache, options: VisitorDictionaryOptions = {}) {
    this.#cache = cache
    this.#versions = options.versions ?? DEFAULT_VISITOR_DICTIONARY_VERSIONS
    this.#swr = options.staleWhileRevalidateSeconds
    const codecs = new Map<VisitorDictionaryCoding, Codec>()
    const dcb = createDcbCodec()
    const dcz = createDczCodec()
    if (dcb.available) codecs.set('dcb', dcb)
    if (dcz.available) codecs.set('dcz', dcz)
    this.#codecs = codecs
    this.#codings = Object.freeze([...codecs.keys()])
    const cacheRef = cache
    this.#scopes = new LRUCache<string, string[]>({
      max: MAX_SCOPES,
      dispose: function forgetScopeVersions (hashes, scope) {
        for (const h of hashes) cacheRef.delete(HISTORY_PREFIX + scope + '\n' + h)
      }
    })
  }

  /**
   * Headers that make a public response a dictionary for its scope: `Use-As-Dictionary`
   * and, when configured and the response has no freshness of its own, a
   * `Cache-Control` that Chromium keeps. Undefined when the URL cannot be expressed
   * as a pattern (then nothing changes).
   */
  dictionaryHeaders (url: string, cacheControl: FieldValue): Record<string, string> | undefined {
    const match = sfString(dictionaryMatchPattern(url))
    if (match === undefined) return undefined
    const out: Record<string, string> = { 'use-as-dictionary': `match=${match}` }
    if (this.#swr !== undefined && !hasFreshness(cacheControl)) out['cache-control'] = `max-age=0, stale-while-revalidate=${this.#swr}`
    return out
  }

  /**
   * Remembers `version` as a dictionary of its scope and, when the visitor names a
   * remembered version of the same scope and accepts dcb or dcz, returns the current
   * version encoded against it, if that is smaller than what the visitor would get
   * otherwise. Undefined: serve the ordinary answer.
   */
  answer (input: VisitorDictionaryInput): VisitorDictionaryAnswer | undefined {
    if (input.version.body.byteLength > MAX_VISITOR_DICTIONARY_PAGE_BYTES) return undefined
    const scope = `${input.host}\n${dictionaryMatchPattern(input.url)}`
    const targetHex = hex(input.version.hash)
    this.#remember(scope, targetHex, input.version)

    const named = parseAvailableDictionary(input.availableDictionary)
    if (named === undefined) return undefined
    const coding = negotiateEncoding(parseAcceptEncoding(input.acceptEncoding), this.#codings) as VisitorDictionaryCoding | undefined
    if (coding === undefined) return undefined
    const baseHex = named.toString('hex')
    const base = this.#cache.get(HISTORY_PREFIX + scope + '\n' + baseHex)
    if (base === undefined) return undefined
    const encodedKey = `${ENCODED_PREFIX}${coding}\n${baseHex}\n${targetHex}`
    let encoded = this.#cache.get(encodedKey)?.body
    if (encoded === undefined) {
      encoded = this.#codecs.get(coding)!.encode(base.body, input.version.body, { baseHash: base.hash })
      this.#cache.set(encodedKey, { body: encoded, hash: input.version.hash })
    }
    if (encoded.byteLength >= input.ordinarySize) return undefined
    return { coding, body: encoded }
  }

  #remember (scope: string, targetHex: string, version: HeldVersion): void {
    const key = HISTORY_PREFIX + scope + '\n' + targetHex
    const hashes = this.#scopes.get(scope) ?? []
    if (hashes.at(-1) === targetHex && this.#cache.get(key) !== undefined) return
    const at = hashes.indexOf(targetHex)
    if (at !== -1) hashes.splice(at, 1)
    hashes.push(targetHex)
    while (hashes.length > this.#versions) this.#cache.delete(HISTORY_PREFIX + scope + '\n' + hashes.shift()!)
    this.#cache.set(key, version)
    this.#scopes.set(scope, hashes)
  }

  clear (): void {
    this.#scopes.clear()
  }
}
