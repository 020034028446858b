// The link-capacity search of one contender (issue 7): the highest rate of page
// requests at which p99 latency stays under the limit. Rates climb a ladder
// (start, start x factor, ...) that every contender shares, so their latencies
// can be set side by side at equal load; once a rate fails, a few geometric
// bisections between the last pass and the first failure narrow it down.

export interface CapacityPlan {
  /** First rate, requests/s. */
  readonly startRate: number
  /** Ratio between rungs of the ladder. */
  readonly factor: number
  /** Below this, stop: the contender cannot sustain even that. */
  readonly minRate: number
  /** Above this, stop: the contender sustains at least that (the load generator's ceiling). */
  readonly maxRate: number
  /** Bisections after the first failure. */
  readonly refineSteps: number
  /** Steps in all, whatever happened. */
  readonly maxSteps: number
}

/** Rates with two significant digits: easy to read, and the same for every contender. */
export function roundRate (rate: number): number {
  return Number(rate.toPrecision(2))
}

export class CapacitySearch {
  readonly #plan: CapacityPlan
  #passed: number | undefined
  #failed: number | undefined
  #next: number | undefined
  #steps = 0
  #refined = 0

  constructor (plan: CapacityPlan) {
    this.#plan = plan
    this.#next = plan.startRate
  }

  /** The next rate to try, or undefined when the search is over. */
  get next (): number | undefined {
    return this.#next
  }

  /** Highest rate that passed; undefined if none did. */
  get sustained (): number | undefined {
    return this.#passed
  }

  /** Lowest rate that failed; undefined if none did (the capacity is at least `sustained`). */
  get exceeded (): number | undefined {
    return this.#failed
  }

  report (rate: number, passed: boolean): void {
    this.#steps++
    if (passed) this.#passed = Math.max(this.#passed ?? rate, rate)
    else this.#failed = Math.min(this.#failed ?? rate, rate)
    this.#next = this.#choose()
  }

  #choose (): number | undefined {
    const plan = this.#plan
    if (this.#steps >= plan.maxSteps) return undefined
    const lo = this.#passed
    const hi = this.#failed
    if (hi === undefined) {
      const up = roundRate(lo! * plan.factor)
      return up > plan.maxRate ? undefined : up
    }
    if (lo === undefined) {
      const down = roundRate(hi / plan.factor)
      return down < plan.minRate ? undefined : down
    }
    if (this.#refined >= plan.refineSteps) return undefined
    const mid = roundRate(Math.sqrt(lo * hi))
    if (mid <= lo || mid >= hi) return undefined
    this.#refined++
    return mid
  }
}
