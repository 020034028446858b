import { redisFailureReason } from './redisFailureReason.ts'
import type { RedisFailureReason } from './redisFailureReason.ts'
import type { RedisStoreLogger } from './redisStoreOptions.ts'

/** Consecutive timeouts or connection errors, while connected, that mark Redis unhealthy. */
export const FAILURES_BEFORE_UNHEALTHY = 3
/** While unhealthy but connected, one command is let through this often to see whether Redis answers again. */
export const PROBE_INTERVAL_MS = 1000
/** "Redis refused a command" (OOM, NOAUTH...) is logged at most this often. */
export const REFUSAL_LOG_INTERVAL_MS = 60_000

/**
 * Whether Redis is worth asking, and the one log line per outage episode (issue 6).
 *
 * Unhealthy when the connection is lost, or when commands keep timing out on an
 * open connection (Redis hung or overloaded). While unhealthy, commands are not
 * sent at all, so a request never pays even the timeout; when the client
 * reconnects, or a probe command succeeds, Redis is healthy again and deltas
 * resume. A command Redis answers with an error (out of memory, wrong
 * credentials) proves Redis reachable: it is logged, rate-limited, but does not
 * stop the reads that still work.
 */
export class RedisHealth {
  readonly #log: RedisStoreLogger
  #healthy = false
  #everConnected = false
  #outageStart: number | undefined
  #consecutiveFailures = 0
  #lastProbe = 0
  #lastRefusalLog = -Infinity
  /** Reasons already logged in the current outage episode (issue 13). */
  readonly #episodeReasons = new Set<RedisFailureReason>()
  /** Outage episodes so far. */
  outages = 0

  constructor (log: RedisStoreLogger, connected: boolean) {
    this.#log = log
    this.#healthy = connected
    this.#everConnected = connected
  }

  get healthy (): boolean {
    return this.#healthy
  }

  /**
   * True when a command may be sent now: the client is connected and Redis is
   * healthy, or it is time for a probe.
   */
  admit (status: string): boolean {
    if (status !== 'ready') return false
    if (this.#healthy) return true
    const now = performance.now()
    if (now - this.#lastProbe < PROBE_INTERVAL_MS) return false
    this.#lastProbe = now
    return true
  }

  /** The client (re)connected and is ready for commands. */
  connected (): void {
    this.#consecutiveFailures = 0
    this.#up()
  }

  /** The connection closed or failed. */
  lost (err: unknown): void {
    this.#down(err)
  }

  succeeded (): void {
    this.#consecutiveFailures = 0
    if (!this.#healthy) this.#up()
  }

  /** A command failed without an answer from Redis (timeout, connection dropped). */
  failed (err: unknown): void {
    this.#consecutiveFailures++
    if (!this.#healthy || this.#consecutiveFailures >= FAILURES_BEFORE_UNHEALTHY) this.#down(err)
  }

  /** Redis answered a command with an error: reachable, but refusing (OOM, READONLY, NOAUTH). */
  refused (err: unknown): void {
    this.#consecutiveFailures = 0
    const now = performance.now()
    if (now - this.#lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return
    this.#lastRefusalLog = now
    this.#log.warn({ err }, 'coilgun: Redis refused a command; versions may not be shared (check maxmemory-policy and credentials)')
  }

  #down (err: unknown): void {
    this.#healthy = false
    const reason = redisFailureReason(err)
    if (this.#outageStart !== undefined) {
      // The episode may have begun with a bare "connection closed" (or another
      // cause); the first time it shows a new reason (wrong password on
      // reconnect, TLS, refused), that is logged too, once (issue 13).
      if (reason === 'closed' || this.#episodeReasons.has(reason)) return
      this.#episodeReasons.add(reason)
      this.#log.warn({ err, reason }, `coilgun: Redis still unavailable: ${reason}`)
      return
    }
    this.#outageStart = performance.now()
    this.#lastProbe = this.#outageStart
    this.outages++
    this.#episodeReasons.add(reason)
    this.#log.warn({ err, reason }, `coilgun: Redis unavailable (${reason}); answering with full responses until it is back`)
  }

  #up (): void {
    this.#healthy = true
    if (this.#outageStart !== undefined) {
      const downMs = Math.round(performance.now() - this.#outageStart)
      this.#outageStart = undefined
      this.#episodeReasons.clear()
      // Logged even by a warn-only logger: the end of an episode belongs with its start.
      const log = this.#log.info === undefined ? this.#log.warn : this.#log.info
      log.call(this.#log, { downMs }, `coilgun: Redis back after ${downMs} ms; deltas resume`)
    } else if (!this.#everConnected) {
      this.#log.info?.({}, 'coilgun: Redis connected')
    }
    this.#everConnected = true
  }
}
