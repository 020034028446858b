import { resolveEligibility } from '@coilgun/core'

/** Consecutive eligible-looking answers without Coilgun headers that start an episode. */
export const UNRECOGNISED_ANSWERS_BEFORE_WARNING = 20

/** The origin's default policy: a page it would answer with Coilgun headers if it knew the secret. */
const ORIGIN_DEFAULTS = resolveEligibility()

interface LoggerLike {
  warn (obj: object, msg: string): void
  info (obj: object, msg: string): void
}

/**
 * Issue 16: a sender whose secret the origin does not accept got every answer as
 * `passthrough`, silently. Per upstream, this counts consecutive answers that the
 * origin would have made Coilgun answers by its default policy (200, a text or JSON
 * type, not ranged) but that came without a digest; past a threshold it logs one
 * warning, and one line when a Coilgun answer arrives again (the episode's end).
 * Pages an origin excludes on purpose (small, custom types) can start an episode
 * too, which the message says.
 */
export class SecretRecognition {
  readonly #origins: readonly string[]
  readonly #streak: number[]
  readonly #warned: boolean[]
  readonly #log: LoggerLike

  constructor (origins: readonly string[], log: LoggerLike) {
    this.#origins = origins
    this.#streak = origins.map(() => 0)
    this.#warned = origins.map(() => false)
    this.#log = log
  }

  /** One answer of upstream `index` to a delta request; `coilgun`: isCoilgunAnswer's verdict on it. */
  observe (index: number, status: number, headers: Record<string, string | string[] | undefined>, coilgun: boolean): void {
    if (coilgun) {
      this.#streak[index] = 0
      if (this.#warned[index] === true) {
        this.#warned[index] = false
        this.#log.info({ upstream: this.#origins[index] }, 'coilgun: the upstream answers with Coilgun headers again')
      }
      return
    }
    const type = headers['content-type']
    const eligibleLooking = status === 200 && headers['content-range'] === undefined && ORIGIN_DEFAULTS.contentTypeEligible(Array.isArray(type) ? type[0] : type)
    if (!eligibleLooking) return
    const streak = (this.#streak[index] ?? 0) + 1
    this.#streak[index] = streak
    if (streak === UNRECOGNISED_ANSWERS_BEFORE_WARNING && this.#warned[index] !== true) {
      this.#warned[index] = true
      this.#log.warn({ upstream: this.#origins[index], answers: streak }, `coilgun: ${streak} pages in a row came without Coilgun headers: the origin does not recognise the secret (COILGUN_SECRET differs) or does not run Coilgun; every answer is a passthrough`)
    }
  }
}
