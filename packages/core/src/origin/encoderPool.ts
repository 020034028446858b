import type { CodecName } from '../codecs/codec.ts'
import type { EncodedDelta } from '../policy/chooseEncoding.ts'
import { ERR_ENCODER_WORKER } from '../errors.ts'
import { EncoderLane } from './encoderLane.ts'

export type EncodeTask =
  | { id: number, kind: 'full', target: Uint8Array, coding: string }
  | { id: number, kind: 'delta', base: Uint8Array, baseHash: Uint8Array, target: Uint8Array, codecs: CodecName[], fullSize: number, secondaryCompression: boolean }

export type EncodeTaskResult =
  | { id: number, ok: true, body: Uint8Array | undefined, codec: CodecName | undefined, secondary: 'gzip' | undefined }
  | { id: number, ok: false, error: string }

export type EncodeTaskInput = EncodeTask extends infer T ? T extends { id: number } ? Omit<T, 'id'> : never : never

export interface EncoderPoolOptions {
  /** Workers of the lane for bodies under `largeBytes`. */
  workers: number
  /** Bodies of at least this many bytes go to the large lane (one worker of its own). */
  largeBytes: number
  queueMax: number
  timeoutMs: number
  codecs: readonly CodecName[]
}

/**
 * Nice value of the large lane's worker on Linux (issue 12): under CPU contention it
 * yields to the threads that answer ordinary pages, as batch work should.
 */
export const LARGE_LANE_NICE = 10

/**
 * Worker threads for encoding (issue 3), in two lanes by size (issue 12): a 4 MB
 * page that takes 150 ms to encode has a worker and a queue of its own, so an
 * ordinary page's delta never waits behind it. Each lane bounds its queue and the
 * time of each task (see EncoderLane); a refused or failed task means a full
 * answer. Workers are unref'd so they never keep the process alive; close()
 * terminates them.
 */
export class EncoderPool {
  readonly #small: EncoderLane
  readonly #large: EncoderLane
  readonly #largeBytes: number

  constructor (options: EncoderPoolOptions) {
    const lane = { queueMax: options.queueMax, timeoutMs: options.timeoutMs, codecs: options.codecs }
    this.#small = new EncoderLane({ ...lane, name: 'small', workers: options.workers, nice: 0 })
    this.#large = new EncoderLane({ ...lane, name: 'large', workers: 1, nice: LARGE_LANE_NICE })
    this.#largeBytes = options.largeBytes
  }

  run (task: EncodeTaskInput): Promise<EncodeTaskResult> {
    const size = task.target.length + (task.kind === 'delta' ? task.base.length : 0)
    return (task.target.length >= this.#largeBytes ? this.#large : this.#small).run(task, size)
  }

  /** Number of live workers (for tests and metrics). */
  get workers (): number {
    return this.#small.workers + this.#large.workers
  }

  async close (): Promise<void> {
    await Promise.all([this.#small.close(), this.#large.close()])
  }
}

/** Rebuilds an EncodedDelta from a worker's result. */
export function deltaFromResult (result: EncodeTaskResult): EncodedDelta | undefined {
  if (!result.ok) throw new ERR_ENCODER_WORKER(result.error)
  if (result.body === undefined || result.codec === undefined) return undefined
  return { codec: result.codec, secondary: result.secondary, body: result.body }
}
