// The arithmetic of the emulated link, kept apart from sockets and timers so that
// a test can check it with made-up clocks: a token bucket paces the bytes, then
// every byte travels half the round trip. One instance is one direction.

/** When a segment leaves the bottleneck, and when it reaches the far end (ms). */
export interface Passage {
  readonly departMs: number
  readonly deliverMs: number
}

/**
 * One direction of the link: a first-in first-out bottleneck with a token bucket
 * (rate `bytesPerMs`, depth `burstBytes`), followed by a fixed propagation delay.
 * A segment deeper than the bucket waits until its deficit is paid, so it leaves
 * when its last byte would have been serialised: over a busy spell the link
 * carries exactly `bytesPerMs`, after an idle one it passes at most one bucket
 * at once. Segments leave in the order they are offered, whatever connection they
 * belong to: connections share the link as they share a real one.
 */
export class PacedDirection {
  readonly #bytesPerMs: number
  readonly #burstBytes: number
  readonly #delayMs: number
  #tokens: number
  /** The departure of the last segment: nothing leaves before it (FIFO). */
  #lastMs: number

  constructor (bytesPerMs: number, burstBytes: number, delayMs: number, startMs = 0) {
    if (!(bytesPerMs > 0) || !Number.isFinite(bytesPerMs)) throw new RangeError(`invalid bandwidth: ${bytesPerMs} bytes/ms`)
    if (!(burstBytes > 0)) throw new RangeError(`invalid burst: ${burstBytes} bytes`)
    if (!(delayMs >= 0)) throw new RangeError(`invalid delay: ${delayMs} ms`)
    this.#bytesPerMs = bytesPerMs
    this.#burstBytes = burstBytes
    this.#delayMs = delayMs
    this.#tokens = burstBytes
    this.#lastMs = startMs
  }

  /** Offers `bytes` to the link at `nowMs`, behind everything offered before. */
  admit (bytes: number, nowMs: number): Passage {
    const start = Math.max(nowMs, this.#lastMs)
    let tokens = Math.min(this.#burstBytes, this.#tokens + (start - this.#lastMs) * this.#bytesPerMs)
    let departMs = start
    if (tokens >= bytes) {
      tokens -= bytes
    } else {
      departMs = start + (bytes - tokens) / this.#bytesPerMs
      tokens = 0
    }
    this.#tokens = tokens
    this.#lastMs = departMs
    return { departMs, deliverMs: departMs + this.#delayMs }
  }

  /** How long a byte offered at `nowMs` would queue before the bottleneck, ms. */
  backlogMs (nowMs: number): number {
    return Math.max(0, this.#lastMs - nowMs)
  }

  /**
   * Forgets bytes that will never be delivered (their connection was cut) when
   * nothing else is queued: the next byte offered does not wait behind them.
   */
  rewind (nowMs: number): void {
    if (this.#lastMs > nowMs) this.#lastMs = nowMs
  }
}
