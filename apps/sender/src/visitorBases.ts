import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { PrivacyPolicy, PrivacyResponseHeaders } from '@coilgun/core'
import type { CachedVersion, VersionCache } from './versionCache.ts'

// Issue 11: one visitor's page is never the base of another visitor's answer. The
// sender keeps one version per public resource, shared by every visitor, and one
// version per visitor of a private resource, under the resource key plus a keyed
// hash of the visitor's credentials. The delta the origin sends for a visitor is
// then computed against that visitor's own previous page (or none), so its size
// cannot depend on anybody else's secrets: the compression oracle of BREACH/CRIME
// (RFC 9842 section 10) has nothing to compare against.

/** Where a request's base comes from, decided before the request goes upstream. */
export interface BaseSlot {
  /** The resource key (`resourceKey(host, target)`). */
  readonly key: string
  /** The cache key to read the base from and to drop on a failed verification; undefined: name no base. */
  readonly baseKey: string | undefined
  /** The visitor's key for this resource, when the visitor presents credentials. */
  readonly visitorKey: string | undefined
  /** The request alone makes the answer private (`Authorization`, a private path). */
  readonly requestPrivate: boolean
}

/** Separates the resource key from the visitor's fingerprint: NUL occurs in neither. */
const VISITOR_SEPARATOR = '\u0000'

export interface VisitorBasesOptions {
  readonly privacy: PrivacyPolicy
  /** Cookies that identify a visitor (`COILGUN_SESSION_COOKIES`); undefined: the whole `Cookie` field. */
  readonly sessionCookies: readonly string[] | undefined
  /** `COILGUN_PRIVATE_DELTAS`: false never names nor keeps a base for a private resource. */
  readonly privateDeltas: boolean
}

export class VisitorBases {
  readonly #options: VisitorBasesOptions
  readonly #cookies: ReadonlySet<string> | undefined
  /**
   * Per-process random key: the fingerprint of a visitor's credentials cannot be
   * computed (or reversed) by anyone else, and is never the raw value.
   */
  readonly #hmacKey = randomBytes(32)

  constructor (options: VisitorBasesOptions) {
    this.#options = options
    this.#cookies = options.sessionCookies === undefined ? undefined : new Set(options.sessionCookies)
  }

  /**
   * HMAC-SHA-256 of what identifies the visitor: the named session cookies (or the
   * whole `Cookie` field) and `Authorization`; undefined for a visitor with none,
   * who has no base of their own for a private resource.
   */
  fingerprint (headers: IncomingHttpHeaders): string | undefined {
    const cookies = this.#cookieMaterial(headers.cookie)
    const authorization = headers.authorization ?? ''
    if (cookies === '' && authorization === '') return undefined
    return createHmac('sha256', this.#hmacKey).update(cookies).update('\n').update(authorization).digest('base64url')
  }

  /** Decides, before the request goes upstream, which base (if any) may be named. */
  slotFor (cache: VersionCache, key: string, path: string, headers: IncomingHttpHeaders): BaseSlot {
    const requestPrivate = this.#options.privacy.requestIsPrivate({ path, headers })
    const visitor = this.fingerprint(headers)
    const visitorKey = visitor === undefined ? undefined : `${key}${VISITOR_SEPARATOR}${visitor}`
    // A resource that answered privately before never gets a shared base again
    // while its mark lives: its next answer is most likely private too.
    if (!requestPrivate && !cache.isMarkedPrivate(key)) return { key, baseKey: key, visitorKey, requestPrivate }
    return { key, baseKey: this.#options.privateDeltas ? visitorKey : undefined, visitorKey, requestPrivate }
  }

  /**
   * Keeps a verified version where the next request may use it: under the resource
   * key when the answer is public, under the visitor's key when it is private. An
   * answer that makes itself private (its headers, the operator's predicate) also
   * marks the resource and drops its shared version. One that is private only
   * because of this request (`Authorization`) does neither: a visitor sending
   * `Authorization` to a public page must not take its shared base away from others.
   */
  keep (cache: VersionCache, slot: BaseSlot, path: string, requestHeaders: IncomingHttpHeaders, responseHeaders: PrivacyResponseHeaders, version: CachedVersion): boolean {
    const selfPrivate = this.#options.privacy.responseIsPrivate({ path, headers: requestHeaders }, responseHeaders)
    if (!selfPrivate && !slot.requestPrivate && !cache.isMarkedPrivate(slot.key)) {
      cache.set(slot.key, version)
      return false
    }
    if (selfPrivate) {
      cache.markPrivate(slot.key)
      cache.delete(slot.key)
    }
    if (this.#options.privateDeltas && slot.visitorKey !== undefined) cache.set(slot.visitorKey, version)
    return true
  }

  #cookieMaterial (cookie: string | undefined): string {
    if (cookie === undefined) return ''
    if (this.#cookies === undefined) return cookie
    // RFC 6265 section 5.4: `name=value` pairs separated by `; `. Only the named
    // session cookies count, in name order, so analytics cookies that change on
    // every request do not make every request a new visitor.
    const picked: string[] = []
    for (const pair of cookie.split(';')) {
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      if (this.#cookies.has(name)) picked.push(`${name}=${pair.slice(eq + 1).trim()}`)
    }
    return picked.sort().join('; ')
  }
}
