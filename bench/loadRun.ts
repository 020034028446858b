import { createHistogram } from 'node:perf_hooks'
import type { RecordableHistogram } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { Dispatcher } from 'undici'

// The load generator: closed-loop virtual clients in the bench process, over real
// loopback sockets to a server in another process. One call is one timed run.
//
// Not autocannon: it appends every response body to a string (`req.body += data`),
// a UTF-8 decode whose cost depends on the bytes. On Node 24 a 24 KB brotli body
// costs the client 6x what a 200 KB ASCII page does, and on a 2-core machine the
// client's CPU is taken from the server, so compressed answers looked slower than
// they are. undici (the client the sender itself uses) counts body bytes and
// decodes nothing.

export interface LoadSpec {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly durationS: number
}

/** What the client saw during one run. */
export interface LoadResult {
  /** Completed responses per second of wall time. */
  readonly rps: number
  readonly requests: number
  readonly latencyP50Ms: number
  readonly latencyP99Ms: number
  /** Responses outside 2xx (226 IM Used is 2xx), and requests that failed. */
  readonly non2xx: number
  readonly errors: number
  /** Response body bytes received by the client. */
  readonly bytesReceived: number
  /** CPU time of the bench process (the load generator) per response, ms. */
  readonly clientCpuMsPerRequest: number
}

/** Closed-loop visitors over several resources, requested in turn across all of them. */
export interface ClosedLoadSpec {
  /** `http://127.0.0.1:<port>` of the server. */
  readonly origin: string
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

/**
 * One virtual client: sends a request for the next resource in turn, waits for the
 * whole response, sends the next, until the deadline. It is its own undici handler,
 * so a request allocates no callbacks.
 */
class VirtualClient implements Dispatcher.DispatchHandler {
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

  // undici tells its handler APIs apart by this method: without it, the legacy one is expected.
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
    // A refused connection fails at once: yield before retrying, so a dead server
    // cannot spin this loop without letting the timers run.
    setImmediate(() => this.next())
  }
}

/** GET options for each path, in the order given. */
export function dispatchOptions (origin: string, paths: readonly string[], headers: Readonly<Record<string, string>>): Dispatcher.DispatchOptions[] {
  return paths.map(path => ({ origin, path, method: 'GET', headers: { ...headers } }))
}

/** One timed closed-loop run, keeping the whole latency histogram. */
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
      new VirtualClient(pool, options, deadline, latency, tally, resolve).next()
    })))
  } finally {
    await pool.close()
  }
  // Until the last response: requests in flight at the deadline are completed and counted.
  const elapsedS = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return { requests: tally.requests, elapsedS, latency, non2xx: tally.non2xx, errors: tally.errors, bytesReceived: tally.bytes, clientCpuMs: (cpu.user + cpu.system) / 1000 }
}

/** One timed run against one URL, summarised. */
export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url)
  const run = await runClosedLoad({ origin: target.origin, paths: [`${target.pathname}${target.search}`], headers: spec.headers, connections: spec.connections, durationS: spec.durationS })
  const n = run.requests
  return {
    rps: n / run.elapsedS,
    requests: n,
    latencyP50Ms: n > 0 ? run.latency.percentile(50) / 1e6 : Number.NaN,
    latencyP99Ms: n > 0 ? run.latency.percentile(99) / 1e6 : Number.NaN,
    non2xx: run.non2xx,
    errors: run.errors,
    bytesReceived: run.bytesReceived,
    clientCpuMsPerRequest: n > 0 ? run.clientCpuMs / n : Number.NaN
  }
}
