import type { FastifyBaseLogger } from 'fastify'

/** At most one warning per kind of upstream failure in this many milliseconds. */
export const UPSTREAM_ERROR_LOG_INTERVAL_MS = 10_000

/**
 * Logs upstream failures at a bounded rate (issue 12, item 5): an origin that is down
 * fails every request, and one warning with a stack trace per request buried the
 * log (276 KB for 200 requests). The first failure of a kind is logged at once; the
 * next ones within the interval are counted and reported with the next warning.
 * Each failure is still logged at debug level and counted in
 * `coilgun_upstream_errors_total`.
 */
export class UpstreamErrorLog {
  readonly #intervalMs: number
  readonly #last = new Map<string, number>()
  readonly #suppressed = new Map<string, number>()

  constructor (intervalMs: number = UPSTREAM_ERROR_LOG_INTERVAL_MS) {
    this.#intervalMs = intervalMs
  }

  warn (log: FastifyBaseLogger, kind: string, err: unknown, ms?: number): void {
    const now = performance.now()
    const last = this.#last.get(kind)
    if (last !== undefined && now - last < this.#intervalMs) {
      this.#suppressed.set(kind, (this.#suppressed.get(kind) ?? 0) + 1)
      log.debug({ err, kind, ms }, 'coilgun: upstream failed')
      return
    }
    const suppressed = this.#suppressed.get(kind) ?? 0
    this.#last.set(kind, now)
    this.#suppressed.set(kind, 0)
    log.warn({ err, kind, ms, suppressed }, suppressed === 0 ? 'coilgun: upstream failed' : `coilgun: upstream failed (${suppressed} more since the last warning)`)
  }
}
