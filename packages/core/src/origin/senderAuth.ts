import { createHash, timingSafeEqual } from 'node:crypto'
import { ERR_INVALID_OPTION } from '../errors.ts'

/** Shortest secret accepted: 16 characters (about 96 bits when random base64). */
export const MIN_SECRET_LENGTH = 16
/** At most one "wrong secret" warning per this many milliseconds. */
export const WRONG_SECRET_LOG_INTERVAL_MS = 10_000

/**
 * True for a well-formed shared secret (or token): at least {@link MIN_SECRET_LENGTH}
 * characters, all visible ASCII (RFC 9110 section 5.5 `VCHAR`, no obs-text), since
 * it travels in a header field. The one syntax check behind the plugin options and
 * the apps' environment (issue 14).
 */
export function isSecretSyntax (value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH && /^[\x21-\x7e]+$/.test(value)
}

export interface WarnLogger {
  warn (obj: object, msg: string): void
}

/**
 * Validates a shared secret option (a coded error naming the option otherwise).
 */
export function validateSecrets (name: string, value: unknown): readonly string[] {
  // A list: the current secret and the previous ones still accepted, so a fleet can
  // rotate without downtime (issue 16): origins accept both, then senders move over.
  if (Array.isArray(value)) {
    if (value.length === 0) throw new ERR_INVALID_OPTION(name, 'expected a secret or a non-empty list of secrets')
    return Object.freeze(value.map((s, i) => validateSecret(`${name}[${i}]`, s)))
  }
  return Object.freeze([validateSecret(name, value)])
}

/**
 * Validates one shared secret (a coded error naming the option otherwise).
 */
export function validateSecret (name: string, secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new ERR_INVALID_OPTION(name, `expected a string of at least ${MIN_SECRET_LENGTH} characters (got ${typeof secret === 'string' ? `${secret.length} characters` : typeof secret})`)
  }
  if (!isSecretSyntax(secret)) throw new ERR_INVALID_OPTION(name, 'expected visible ASCII characters only (it travels in an HTTP header)')
  return secret
}

/**
 * Checks the sender's secret header. Both sides are hashed first so the comparison
 * takes the same time whatever the length or content of the guess (no early exit
 * that would leak how much of it matched). A wrong secret is logged, rate-limited,
 * and the request is then treated like any unauthenticated one.
 */
export class SenderAuth {
  #expected: readonly Buffer[]
  readonly #log: WarnLogger | undefined
  #lastWarn = 0
  #suppressed = 0

  constructor (secrets: string | readonly string[], log?: WarnLogger) {
    this.#expected = SenderAuth.#hashAll(secrets)
    this.#log = log
  }

  /** Accepts these secrets from now on (a reload of the secret file). */
  replaceSecrets (secrets: string | readonly string[]): void {
    this.#expected = SenderAuth.#hashAll(secrets)
  }

  static #hashAll (secrets: string | readonly string[]): readonly Buffer[] {
    return (typeof secrets === 'string' ? [secrets] : secrets).map(s => createHash('sha256').update(s).digest())
  }

  /** True when the header carries the shared secret. Absent header: false, silently. */
  authenticate (value: string | string[] | undefined, remoteAddress?: string): boolean {
    if (value === undefined) return false
    const given = typeof value === 'string' ? value : value.join(',')
    const hash = createHash('sha256').update(given).digest()
    // Every accepted secret is compared (no early exit): the time does not say which matched.
    let ok = false
    for (const expected of this.#expected) ok = timingSafeEqual(hash, expected) || ok
    if (!ok) this.#warnWrongSecret(remoteAddress)
    return ok
  }

  #warnWrongSecret (remoteAddress: string | undefined): void {
    const now = Date.now()
    if (now - this.#lastWarn < WRONG_SECRET_LOG_INTERVAL_MS) {
      this.#suppressed++
      return
    }
    this.#log?.warn({ remoteAddress, suppressed: this.#suppressed }, 'coilgun: request with a wrong sender secret, treated as unauthenticated')
    this.#lastWarn = now
    this.#suppressed = 0
  }
}
