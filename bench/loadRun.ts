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

interface Tally {
  requests: number
  non2xx: number
  errors: number
  bytes: number
}

/**
 * One virtual client: sends a request, waits for the whole response, sends the
 * next, until the deadline. It is its own undici handler, so a request allocates
 * no callbacks.
 */
class VirtualClient implements Dispatcher.DispatchHandler {
  readonly #pool: Pool
  readonly #options: Dispatcher.DispatchOptions
  readonly #deadline: number
  readonly #latency: RecordableHistogram
  readonly #tally: Tally
  readonly #done: () => void
  #sentAt = 0
  #status = 0

  constructor (pool: Pool, options: Dispatcher.DispatchOptions, deadline: number, latency: RecordableHistogram, tally: Tally, done: () => void) {
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
    this.#sentAt = performance.now()
    this.#status = 0
    this.#pool.dispatch(this.#options, this)
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

function cpuMs (usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000
}

export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url)
  const pool = new Pool(target.origin, { connections: spec.connections, pipelining: 1 })
  const options: Dispatcher.DispatchOptions = { origin: target.origin, path: `${target.pathname}${target.search}`, method: 'GET', headers: { ...spec.headers } }
  const latency = createHistogram()
  const tally: Tally = { requests: 0, non2xx: 0, errors: 0, bytes: 0 }
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
  const cpu = cpuMs(process.cpuUsage(cpuBefore))
  return {
    rps: tally.requests / elapsedS,
    requests: tally.requests,
    latencyP50Ms: tally.requests > 0 ? latency.percentile(50) / 1e6 : Number.NaN,
    latencyP99Ms: tally.requests > 0 ? latency.percentile(99) / 1e6 : Number.NaN,
    non2xx: tally.non2xx,
    errors: tally.errors,
    bytesReceived: tally.bytes,
    clientCpuMsPerRequest: tally.requests > 0 ? cpu / tally.requests : Number.NaN
  }
}
