import type { IncomingHttpHeaders } from 'node:http'
import { ERR_INVALID_OPTION } from '../errors.ts'
import { headerText, splitList } from '../headers/fieldSyntax.ts'

// Which responses are private (issue 11). A private response is one visitor's page:
// it may hold a session's CSRF token, a name, an account balance. Keeping one last
// version per URL and sending deltas against it would make one visitor's page the
// base of another's answer, and the size of that delta a compression oracle on the
// first visitor's secrets (the BREACH/CRIME class; RFC 9842 section 10). The sender
// keeps private versions per visitor, and the origin side keeps them briefly.

/** The request, as the privacy rule sees it. */
export interface PrivacyRequest {
  /** Path and query of the request target. */
  readonly path: string
  readonly headers: IncomingHttpHeaders
}

/** Response header fields, lower-case names (Node's `getHeaders()` / undici's `headers`). */
export type PrivacyResponseHeaders = Readonly<Record<string, string | string[] | number | undefined>>

/**
 * An operator's own rule: return true to treat a response as private on top of the
 * built-in rule ({@link isPrivateResponse}, {@link isPrivateRequest}). It cannot make
 * a response the built-in rule finds private public.
 */
export type PrivatePredicate = (request: PrivacyRequest, responseHeaders: PrivacyResponseHeaders) => boolean

export interface PrivacyOptions {
  /**
   * Extra rule (Fastify plugin, Express middleware): true marks the response
   * private. Called for authenticated sender requests only, once per response.
   * @default none (the built-in rule only)
   */
  isPrivate?: PrivatePredicate
  /**
   * Paths whose responses are always private: `/account` covers `/account`,
   * `/account/...` and `/account?...` (listener and sender: `COILGUN_PRIVATE_PATHS`).
   * @default []
   */
  privatePaths?: readonly string[]
}

export interface PrivacyPolicy {
  readonly privatePaths: readonly string[]
  /** True when the request alone makes the answer private (`Authorization`, a private path). */
  requestIsPrivate (request: PrivacyRequest): boolean
  /** True when the response makes itself private (built-in response rule, or the operator's predicate). */
  responseIsPrivate (request: PrivacyRequest, responseHeaders: PrivacyResponseHeaders): boolean
  /** True when the answer to this request with these response headers is private (either of the above). */
  isPrivate (request: PrivacyRequest, responseHeaders: PrivacyResponseHeaders): boolean
}

/**
 * Names of the members of a list field (Cache-Control directives, Vary members),
 * lower-case, with quoted strings kept as data so `no-cache="a, private"` does not
 * read as `private` (RFC 9110 sections 5.6.1, 5.6.4).
 */
function memberNames (value: unknown): string[] {
  return splitList(value, Number.MAX_SAFE_INTEGER).map(m => m.split('=', 1)[0]!.trim().toLowerCase())
}

/**
 * The built-in rule on a response: `Cache-Control: private` or `no-store` (RFC 9111
 * section 5.2.2.7 and 5.2.2.5: not for shared caches, which the sender is), any
 * `Set-Cookie` (the page starts or changes a session), or a `Vary` naming `Cookie`
 * or `Authorization`, or `*` (RFC 9110 section 12.5.5: the page depends on who asks).
 */
export function isPrivateResponse (headers: PrivacyResponseHeaders): boolean {
  for (const directive of memberNames(headers['cache-control'])) {
    if (directive === 'private' || directive === 'no-store') return true
  }
  const setCookie = headers['set-cookie']
  if (setCookie !== undefined && (headerText(setCookie) ?? '') !== '') return true
  for (const member of memberNames(headers.vary)) {
    if (member === '*' || member === 'cookie' || member === 'authorization') return true
  }
  return false
}

/**
 * The built-in rule on a request: it carries `Authorization` (RFC 9111 section 3.5:
 * a shared cache must not reuse such a response for others).
 */
export function isPrivateRequest (headers: IncomingHttpHeaders): boolean {
  return headers.authorization !== undefined
}

function pathOf (target: string): string {
  const q = target.indexOf('?')
  return q < 0 ? target : target.slice(0, q)
}

function matchesPrefix (path: string, prefix: string): boolean {
  if (path === prefix) return true
  return path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)
}

/** Checks a list of private paths (each starting with `/`); throws a coded error naming `name`. */
export function validatePrivatePaths (name: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([])
  if (!Array.isArray(value)) throw new ERR_INVALID_OPTION(name, 'expected a list of paths starting with /')
  for (const p of value) {
    if (typeof p !== 'string' || !p.startsWith('/') || /[\s?#]/.test(p)) throw new ERR_INVALID_OPTION(name, `expected paths starting with / without spaces, ? or #, got ${JSON.stringify(p)}`)
  }
  return Object.freeze([...value as string[]])
}

/** Resolves the privacy rule once (STYLE rule 3). */
export function resolvePrivacy (options: PrivacyOptions = {}): PrivacyPolicy {
  const privatePaths = validatePrivatePaths('privatePaths', options.privatePaths)
  const predicate = options.isPrivate
  if (predicate !== undefined && typeof predicate !== 'function') throw new ERR_INVALID_OPTION('isPrivate', 'expected a function (request, responseHeaders) => boolean')
  function requestIsPrivate (request: PrivacyRequest): boolean {
    if (isPrivateRequest(request.headers)) return true
    if (privatePaths.length === 0) return false
    const path = pathOf(request.path)
    return privatePaths.some(prefix => matchesPrefix(path, prefix))
  }
  function responseIsPrivate (request: PrivacyRequest, responseHeaders: PrivacyResponseHeaders): boolean {
    if (isPrivateResponse(responseHeaders)) return true
    return predicate !== undefined && predicate(request, responseHeaders) === true
  }
  return Object.freeze({
    privatePaths,
    requestIsPrivate,
    responseIsPrivate,
    isPrivate (request: PrivacyRequest, responseHeaders: PrivacyResponseHeaders): boolean {
      return requestIsPrivate(request) || responseIsPrivate(request, responseHeaders)
    }
  })
}
