// Bounds the requests in flight over all URLs (`--concurrency`): a URL waits for a
// free slot before it polls, so a long list never opens more than N requests at once.

export class RequestSlots {
  #free: number
  readonly #waiting: Array<() => void> = []

  constructor (slots: number) {
    this.#free = slots
  }

  /** Resolves with true once a slot is held, or false when `signal` aborts first. */
  acquire (signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false)
    if (this.#free > 0) {
      this.#free--
      return Promise.resolve(true)
    }
    return new Promise(resolve => {
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(true)
      }
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(waiter)
        if (i >= 0) this.#waiting.splice(i, 1)
        resolve(false)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  release (): void {
    const next = this.#waiting.shift()
    if (next !== undefined) next()
    else this.#free++
  }
}
