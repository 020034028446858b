import { LRUCache } from 'lru-cache'

/** Bytes of resource keys the back-off memory may hold (a URL each, plus bookkeeping). */
export const DELTA_BACKOFF_BYTES = 1024 * 1024
/** Consecutive strikes after which the back-off stops doubling: base x 2^5. */
const MAX_DOUBLINGS = 5

interface Strikes {
  /** Consecutive delta attempts that were not useful. */
  count: number
  /** performance.now() until which no delta is tried. */
  until: number
}

/**
 * Remembers resources whose deltas are not useful (issue 12): a page that changes
 * completely on every request costs a full delta encode (150 ms for 4 MB) and then
 * the full compression anyway. After such an attempt the resource is answered in
 * full, without reading a base or encoding, for `backoffMs`, doubling with each
 * further useless attempt up to 32 x `backoffMs`; one useful delta forgets it.
 * Bounded in bytes like every other cache (DELTA_BACKOFF_BYTES).
 */
export class DeltaBackoff {
  readonly #backoffMs: number
  readonly #strikes: LRUCache<string, Strikes> | undefined

  constructor (backoffMs: number) {
    this.#backoffMs = backoffMs
    this.#strikes = backoffMs > 0
      ? new LRUCache<string, Strikes>({ maxSize: DELTA_BACKOFF_BYTES, sizeCalculation: strikesSize })
      : undefined
  }

  /** True while `resourceKey` is answered in full without trying a delta. */
  active (resourceKey: string): boolean {
    const s = this.#strikes?.get(resourceKey)
    return s !== undefined && performance.now() < s.until
  }

  /** A delta attempt for `resourceKey` was not useful: back off, longer each time. */
  strike (resourceKey: string): void {
    if (this.#strikes === undefined) return
    const count = (this.#strikes.get(resourceKey)?.count ?? 0) + 1
    const wait = this.#backoffMs * 2 ** Math.min(count - 1, MAX_DOUBLINGS)
    this.#strikes.set(resourceKey, { count, until: performance.now() + wait })
  }

  /** A useful delta: `resourceKey` is tried again on every request. */
  forgive (resourceKey: string): void {
    this.#strikes?.delete(resourceKey)
  }

  clear (): void {
    this.#strikes?.clear()
  }
}

function strikesSize (_value: Strikes, key: string): number {
  return key.length + 96
}
