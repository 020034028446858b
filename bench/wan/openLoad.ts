import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import { dispatchOptions } from '../loadRun.ts'

// Visitors arriving at a set rate whatever happens to earlier ones (open loop),
// as people do: the load of one step of the link-capacity search (issue 7).
// Arrivals are a Poisson process from a seeded generator, so every contender gets
// the same arrival times at the same rate. Latency counts from the moment a request
// was due, not from when it was sent, so a late generator cannot hide a queue.

/** Connections from the visitors to the edge (loopback): enough that none waits for one. */
const VISITOR_CONNECTIONS = 1024

export interface OpenStepSpec {
  readonly origin: string
  readonly paths: readonly string[]
  readonly headers: Readonly<Record<string, string>>
  /** Requests per second offered. */
  readonly rate: number
  readonly durationS: number
  /** A request slower than this fails the step's latency bound; one still running this long is abandoned. */
  readonly limitMs: number
  readonly seed: number
}

export interface OpenStepResult {
  readonly rate: number
  readonly durationS: number
  readonly sent: number
  readonly completed: number
  /** Requests still unanswered `limitMs` after they were due (counted as slower than the limit). */
  readonly abandoned: number
  readonly failures: number
  /** Over every request sent, abandoned ones as infinitely slow: ms (Infinity when more than 1% were abandoned). */
  readonly p50Ms: number
  readonly p99Ms: number
  /** Completed answers per second of the step. */
  readonly achievedRps: number
}

/** mulberry32: a small seeded generator, so arrivals repeat from contender to contender. */
function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return function next (): number {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Arrival times (ms from the start) of a Poisson process at `rate` per second over `durationS`. */
export function poissonArrivals (rate: number, durationS: number, seed: number): number[] {
  const random = seededRandom(seed)
  const times: number[] = []
  let t = 0
  for (;;) {
    t += -Math.log(1 - random()) * 1000 / rate
    if (t >= durationS * 1000) return times
    times.push(t)
  }
}

/** The `p`-th percentile (nearest rank) of ascending `sorted`. */
export function nearestRank (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]!
}

class Arrival implements Dispatcher.DispatchHandler {
  readonly dueAt: number
  latencyMs = Number.POSITIVE_INFINITY
  failed = false
  done = false
  #status = 0
  readonly #onDone: () => void

  constructor (dueAt: number, onDone: () => void) {
    this.dueAt = dueAt
    this.#onDone = onDone
  }

  onRequestStart (): void {}

  onResponseStart (_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode
  }

  onResponseData (): void {}

  onResponseEnd (): void {
    this.latencyMs = performance.now() - this.dueAt
    this.failed = this.#status < 200 || this.#status > 299
    this.done = true
    this.#onDone()
  }

  onResponseError (): void {
    if (this.done) return
    this.failed = true
    this.done = true
    this.#onDone()
  }
}

export async function runOpenStep (spec: OpenStepSpec): Promise<OpenStepResult> {
  const pool = new Pool(spec.origin, { connections: VISITOR_CONNECTIONS, pipelining: 1 })
  const options = dispatchOptions(spec.origin, spec.paths, spec.headers)
  const offsets = poissonArrivals(spec.rate, spec.durationS, spec.seed)
  const arrivals: Arrival[] = []
  let pending = 0
  let wake: (() => void) | undefined
  function onDone (): void {
    pending--
    if (pending === 0) wake?.()
  }
  const started = performance.now()
  let i = 0
  await new Promise<void>(resolve => {
    function sendDue (): void {
      const now = performance.now()
      while (i < offsets.length && started + offsets[i]! <= now) {
        const arrival = new Arrival(started + offsets[i]!, onDone)
        arrivals.push(arrival)
        pending++
        pool.dispatch(options[i % options.length]!, arrival)
        i++
      }
      if (i >= offsets.length) { resolve(); return }
      setTimeout(sendDue, Math.max(0, started + offsets[i]! - performance.now()))
    }
    sendDue()
  })
  // Wait for the stragglers, but no longer than the limit after the last was due:
  // by then any request still running is known to be slower than the limit.
  const lastDue = started + (offsets.at(-1) ?? 0)
  if (pending > 0) {
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, Math.max(0, lastDue + spec.limitMs - performance.now()))
      wake = () => { clearTimeout(timer); resolve() }
    })
  }
  const endedAt = performance.now()
  // Read the outcome before closing the pool: closing aborts the abandoned requests.
  const completed = arrivals.filter(a => a.done && !a.failed).length
  const abandoned = arrivals.filter(a => !a.done).length
  const failures = arrivals.length - completed - abandoned
  const latencies = arrivals.map(a => (a.done && !a.failed ? a.latencyMs : Number.POSITIVE_INFINITY)).sort((a, b) => a - b)
  await pool.destroy()
  return {
    rate: spec.rate,
    durationS: spec.durationS,
    sent: arrivals.length,
    completed,
    abandoned,
    failures,
    p50Ms: nearestRank(latencies, 50),
    p99Ms: nearestRank(latencies, 99),
    achievedRps: completed / ((endedAt - started) / 1000)
  }
}
