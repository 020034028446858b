import { createHistogram } from 'node:perf_hooks'
import type { RecordableHistogram } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { Dispatcher } from 'undici'

// Visitors at a fixed concurrency (closed loop): each of `connections` virtual
// visitors asks for the next resource in turn, waits for the whole answer, asks
// again. As bench/loadRun.ts, but over several paths and keeping the whole latency
// histogram (the WAN report charts its distribution and reads p95).

export interface ClosedLoadSpec {
  /** `http://127.0.0.1:<port>` of the edge. */
  readonly origin: string
  /** The resources, requested in turn across all visitors. */
  readonly paths: readonly string[]
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly durationS: number
}

export interface ClosedLoadResult {
  readonly requests: number
  readonly elapsedS: number
  /** Nanoseconds, one record per completed request. */
  readonly latency: RecordableHistogram
  readonly non2xx: number
  readonly errors: number
  readonly bytesReceived: number
  /** CPU of the bench process (the visitors) over the run, ms. */
  readonly clientCpuMs: number
}

interface Tally {
  requests: number
  non2xx: number
  errors: number
  bytes: number
  nextPath: number
}

/** One visitor, its own undici handler, so a request allocates no callbacks. */
class Visitor implements Dispatcher.DispatchHandler {
  readonly #pool: Pool
  readonly #options: readonly Dispatcher.DispatchOptions[]
  readonly #deadline: number
  readonly #latency: RecordableHistogram
  readonly #tally: Tally
  readonly #done: () => void
  #sentAt = 0
  #status = 0

  constructor (pool: Pool, options: readonly Dispatcher.DispatchOptions[], deadline: number, latency: RecordableHistogram, tally: Tally, done: () => void) {
    this.#pool = pool
    this.#options = options
    this.#deadline = deadline
    this.#latency = latency
    this.#tally = tally
    this.#done = done
  }

  next (): void {
    if (performance.now() >= this.#deadline) {
      this.#done()
      return
    }
    const options = this.#options[this.#tally.nextPath++ % this.#options.length]!
    this.#sentAt = performance.now()
    this.#status = 0
    this.#pool.dispatch(options, this)
  }

  // undici tells its handler APIs apart by this method.
  onRequestStart (): void {}

  onResponseStart (_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode
  }

  onResponseData (_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#tally.bytes += chunk.length
  }

  onResponseEnd (): void {
    this.#latency.record(Math.max(1, Math.round((performance.now() - this.#sentAt) * 1e6)))
    this.#tally.requests++
    if (this.#status < 200 || this.#status > 299) this.#tally.non2xx++
    this.next()
  }

  onResponseError (): void {
    this.#tally.errors++
    // A refused connection fails at once: yield, so a dead edge cannot spin this loop.
    setImmediate(() => this.next())
  }
}

export function dispatchOptions (origin: string, paths: readonly string[], headers: Readonly<Record<string, string>>): Dispatcher.DispatchOptions[] {
  return paths.map(path => ({ origin, path, method: 'GET', headers: { ...headers } }))
}

export async function runClosedLoad (spec: ClosedLoadSpec): Promise<ClosedLoadResult> {
  const pool = new Pool(spec.origin, { connections: spec.connections, pipelining: 1 })
  const options = dispatchOptions(spec.origin, spec.paths, spec.headers)
  const latency = createHistogram()
  const tally: Tally = { requests: 0, non2xx: 0, errors: 0, bytes: 0, nextPath: 0 }
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const deadline = started + spec.durationS * 1000
  try {
    await Promise.all(Array.from({ length: spec.connections }, () => new Promise<void>(resolve => {
      new Visitor(pool, options, deadline, latency, tally, resolve).next()
    })))
  } finally {
    await pool.close()
  }
  // Until the last answer: requests in flight at the deadline are completed and counted.
  const elapsedS = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return { requests: tally.requests, elapsedS, latency, non2xx: tally.non2xx, errors: tally.errors, bytesReceived: tally.bytes, clientCpuMs: (cpu.user + cpu.system) / 1000 }
}
