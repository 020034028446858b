import type { PutVersionOptions, VersionStore } from '../store/versionStore.ts'
import type { WarnLogger } from './senderAuth.ts'
import { TIMED_OUT, withDeadline } from '../deadline.ts'
import { ERR_STORE_UNAVAILABLE } from '../errors.ts'

const PRIVATE_VERSION: PutVersionOptions = Object.freeze({ private: true })

/**
 * Wraps the version store for the request path: a read that fails or takes longer
 * than the timeout counts as "base unknown" (the answer becomes full), and writes
 * never block the response. Failures are logged once per episode, not per request.
 */
export class StoreGuard {
  readonly #store: VersionStore
  readonly #timeoutMs: number
  readonly #log: WarnLogger | undefined
  #failing = false
  /** Reads and writes that failed or timed out, for metrics. */
  failures = 0

  constructor (store: VersionStore, timeoutMs: number, log?: WarnLogger) {
    this.#store = store
    this.#timeoutMs = timeoutMs
    this.#log = log
  }

  async getVersion (id: string): Promise<Uint8Array | undefined> {
    try {
      const result = await withDeadline(this.#store.getVersion(id), this.#timeoutMs)
      if (result === TIMED_OUT) {
        this.#failed(new ERR_STORE_UNAVAILABLE(`a read took longer than ${this.#timeoutMs} ms`))
        return undefined
      }
      this.#recovered()
      return result
    } catch (err) {
      this.#failed(err)
      return undefined
    }
  }

  /**
   * Stores a version and the latest pointer without waiting for the store. A
   * private version (issue 11) is stored for the store's private lifetime and never
   * becomes the resource's latest pointer, which every visitor shares.
   */
  remember (resourceKey: string, id: string, body: Uint8Array, isPrivate = false): void {
    // Only reads prove the store is back: a store may accept writes it cannot
    // complete (Redis stores drop them while disconnected without rejecting).
    const writes = isPrivate
      ? [this.#store.putVersion(id, body, PRIVATE_VERSION)]
      : [this.#store.putVersion(id, body), this.#store.setLatest(resourceKey, id)]
    Promise.all(writes).catch((err: unknown) => this.#failed(err))
  }

  #failed (err: unknown): void {
    this.failures++
    if (this.#failing) return
    this.#failing = true
    this.#log?.warn({ err }, 'coilgun: version store unavailable; answering with full responses until it recovers')
  }

  #recovered (): void {
    this.#failing = false
  }
}
