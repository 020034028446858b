import { ERR_UPSTREAM_BUSY } from '@coilgun/core'

// Bounded admission in front of each upstream pool (issue 12). undici queues a
// request that finds every connection busy and acts on its abort signal only once
// the request is dispatched, so a queued GET waited for as long as something held
// the connections (32 visitors reading a download slowly: forever). Here the wait
// itself is bounded: by the request's own deadline (COILGUN_UPSTREAM_TIMEOUT_MS
// counts from the visitor's request, queue time included; HAProxy `timeout queue`)
// and by the length of the queue (Envoy `max_pending_requests`): a full queue is a
// 503 at once.
//
// Two lanes share one pool of `pageSlots + streamSlots` connections: the page lane
// admits every GET until its answer is read (Coilgun answers, small passthrough
// answers: bounded by the deadline), the stream lane holds the long passthrough
// downloads whose pace a visitor sets. A download moves from the first to the
// second once its headers say it is one, so downloads never take page slots.

interface Waiter {
  resolve: (permit: Permit) => void
  reject: (err: unknown) => void
  signal: AbortSignal
}

/** A slot in a lane; `release()` is idempotent. */
export class Permit {
  #lane: Lane | undefined
  constructor (lane: Lane) {
    this.#lane = lane
  }

  release (): void {
    const lane = this.#lane
    if (lane === undefined) return
    this.#lane = undefined
    lane.returnSlot()
  }
}

/** A counting semaphore with a bounded FIFO queue whose waiters leave on abort. */
export class Lane {
  readonly name: string
  slots: number
  readonly maxQueue: number
  #active = 0
  readonly #queue: Waiter[] = []

  constructor (name: string, slots: number, maxQueue: number) {
    this.name = name
    this.slots = slots
    this.maxQueue = maxQueue
  }

  get active (): number {
    return this.#active
  }

  get queued (): number {
    return this.#queue.length
  }

  /** A slot now, or undefined when all are taken (never waits). */
  tryAcquire (): Permit | undefined {
    if (this.#active >= this.slots) return undefined
    this.#active++
    return new Permit(this)
  }

  /**
   * A slot when one is free; waits in the queue otherwise, until `signal` aborts
   * (rejects with its reason: the request's deadline or the visitor leaving).
   * Throws COILGUN_ERR_UPSTREAM_BUSY when the queue is full.
   */
  async acquire (signal: AbortSignal): Promise<Permit> {
    if (signal.aborted) throw signal.reason
    const permit = this.tryAcquire()
    if (permit !== undefined) return permit
    if (this.#queue.length >= this.maxQueue) throw new ERR_UPSTREAM_BUSY(this.name, `${this.#queue.length} waiting for ${this.slots} connections`)
    return await new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal }
      this.#queue.push(waiter)
      signal.addEventListener('abort', () => { this.#leave(waiter) }, { once: true })
    })
  }

  /**
   * Changes the number of slots (issue 17: COILGUN_UPSTREAM_HTTP2=auto learns from
   * ALPN whether a connection carries one request or many streams); new slots go
   * to waiters at once, and fewer slots take effect as permits are released.
   */
  resize (slots: number): void {
    this.slots = slots
    while (this.#queue.length > 0 && this.#active < this.slots) {
      this.#active++
      this.#queue.shift()!.resolve(new Permit(this))
    }
  }

  /** @internal Called by Permit.release. */
  returnSlot (): void {
    // After a resize to fewer slots, returned slots are dropped until within bounds.
    const next = this.#active <= this.slots ? this.#queue.shift() : undefined
    if (next !== undefined) {
      // The slot passes straight to the next waiter (FIFO, no barging).
      next.resolve(new Permit(this))
      return
    }
    this.#active--
  }

  #leave (waiter: Waiter): void {
    const at = this.#queue.indexOf(waiter)
    if (at === -1) return
    this.#queue.splice(at, 1)
    waiter.reject(waiter.signal.reason)
  }
}

/** The two lanes of one upstream. */
export class UpstreamAdmission {
  readonly page: Lane
  readonly stream: Lane
  readonly #connections: readonly [number, number]

  constructor (origin: string, pageSlots: number, streamSlots: number, maxQueue: number, connections: readonly [number, number] = [pageSlots, streamSlots]) {
    this.#connections = connections
    this.page = new Lane(`${origin} (pages)`, pageSlots, maxQueue)
    // Downloads never queue: their headers are in, and a visitor waits for bytes.
    this.stream = new Lane(`${origin} (downloads)`, streamSlots, 0)
  }

  /** Sets both lanes to `perConnection` requests on each of their connections. */
  perConnection (perConnection: number): void {
    this.page.resize(this.#connections[0] * perConnection)
    this.stream.resize(this.#connections[1] * perConnection)
  }
}
