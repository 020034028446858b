// When the origin's resources change (issue 7): each corpus set is one resource,
// and it moves to its next version every N requests for it, or every T ms. The
// versions are replayed forth and back (1, 2, ..., n, n-1, ..., 1, 2, ...), so
// every change is between two consecutive captures, as it was on the live site,
// however long the run: wrapping from the last capture to the first would be a
// change of weeks.

/** Default pace of change: a resource advances every 10 requests for it. */
export const DEFAULT_EVERY_REQUESTS = 10

export interface SchedulePlan {
  /** Requests of a resource per version; ignored when `everyMs` is set. */
  readonly every: number
  /** Milliseconds per version, if the schedule follows the clock instead. */
  readonly everyMs: number | undefined
}

/** The version served at `step` of a forth-and-back replay of `versions` versions. */
export function pingPong (step: number, versions: number): number {
  if (versions < 2) return 0
  const period = 2 * (versions - 1)
  const p = step % period
  return p < versions ? p : period - p
}

/** Which version of each resource the origin serves, request by request. */
export class VersionSchedule {
  readonly #versions: readonly number[]
  #plan: SchedulePlan
  #counts: number[]
  #startedMs: number

  constructor (versionCounts: readonly number[], plan: SchedulePlan, nowMs: number) {
    this.#versions = versionCounts
    this.#plan = plan
    this.#counts = versionCounts.map(() => 0)
    this.#startedMs = nowMs
  }

  /** Starts over from the first version of every resource, with `plan`. */
  reset (plan: SchedulePlan, nowMs: number): void {
    this.#plan = plan
    this.#counts = this.#versions.map(() => 0)
    this.#startedMs = nowMs
  }

  get plan (): SchedulePlan {
    return this.#plan
  }

  /** The version to serve to a request for resource `set` at `nowMs`; counts the request. */
  next (set: number, nowMs: number): number {
    const count = this.#counts[set]!
    this.#counts[set] = count + 1
    const step = this.#plan.everyMs === undefined
      ? Math.floor(count / this.#plan.every)
      : Math.floor((nowMs - this.#startedMs) / this.#plan.everyMs)
    return pingPong(step, this.#versions[set]!)
  }
}
