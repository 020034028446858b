import { Worker } from 'node:worker_threads'
import type { CodecName } from '../codecs/codec.ts'
import type { EncodedDelta } from '../policy/chooseEncoding.ts'

export type EncodeTask =
  | { id: number, kind: 'full', target: Uint8Array, coding: string }
  | { id: number, kind: 'delta', base: Uint8Array, baseHash: Uint8Array, target: Uint8Array, codecs: CodecName[], fullSize: number, secondaryCompression: boolean }

export type EncodeTaskResult =
  | { id: number, ok: true, body: Uint8Array | undefined, codec: CodecName | undefined, secondary: 'gzip' | undefined }
  | { id: number, ok: false, error: string }

type Pending = { resolve: (r: EncodeTaskResult) => void, reject: (err: Error) => void }
type TaskInput = EncodeTask extends infer T ? T extends { id: number } ? Omit<T, 'id'> : never : never

interface PoolWorker {
  worker: Worker
  busy: number
}

// The worker runs the compiled file next to this one (.js in dist, .ts from source).
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './encoderWorker.ts' : './encoderWorker.js', import.meta.url)

/**
 * A small pool of worker threads for encoding (issue 3): tasks go to the least busy
 * worker; a worker that dies fails its tasks (the caller falls back to a full
 * answer) and is replaced on the next task. Workers are unref'd so they never keep
 * the process alive; close() terminates them.
 */
export class EncoderPool {
  readonly #size: number
  readonly #codecs: readonly CodecName[]
  readonly #workers: PoolWorker[] = []
  readonly #pending = new Map<number, Pending & { worker: PoolWorker }>()
  #nextId = 1
  #closed = false

  constructor (size: number, codecs: readonly CodecName[]) {
    this.#size = size
    this.#codecs = codecs
  }

  run (task: TaskInput): Promise<EncodeTaskResult> {
    if (this.#closed) return Promise.reject(new Error('encoder pool closed'))
    const worker = this.#pick()
    const id = this.#nextId++
    return new Promise<EncodeTaskResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker })
      worker.busy++
      worker.worker.postMessage({ ...task, id })
    })
  }

  #pick (): PoolWorker {
    if (this.#workers.length < this.#size) {
      const spawned = this.#spawn()
      if (spawned.busy === 0 || this.#workers.every(w => w.busy > 0)) return spawned
    }
    let best = this.#workers[0]!
    for (const w of this.#workers) if (w.busy < best.busy) best = w
    return best
  }

  #spawn (): PoolWorker {
    const worker = new Worker(WORKER_URL, { workerData: { codecs: [...this.#codecs] } })
    worker.unref()
    const entry: PoolWorker = { worker, busy: 0 }
    this.#workers.push(entry)
    worker.on('message', (msg: EncodeTaskResult | { ready: true }) => {
      if ('ready' in msg) return
      const pending = this.#pending.get(msg.id)
      if (pending === undefined) return
      this.#pending.delete(msg.id)
      entry.busy--
      pending.resolve(msg)
    })
    const fail = (err: Error): void => {
      const index = this.#workers.indexOf(entry)
      if (index !== -1) this.#workers.splice(index, 1)
      for (const [id, pending] of this.#pending) {
        if (pending.worker !== entry) continue
        this.#pending.delete(id)
        pending.reject(err)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`encoder worker exited with code ${code}`)))
    return entry
  }

  /** Number of live workers (for tests and metrics). */
  get workers (): number {
    return this.#workers.length
  }

  async close (): Promise<void> {
    this.#closed = true
    const workers = this.#workers.splice(0)
    await Promise.all(workers.map(w => w.worker.terminate()))
  }
}

/** Rebuilds an EncodedDelta from a worker's result. */
export function deltaFromResult (result: EncodeTaskResult): EncodedDelta | undefined {
  if (!result.ok) throw new Error(result.error)
  if (result.body === undefined || result.codec === undefined) return undefined
  return { codec: result.codec, secondary: result.secondary, body: result.body }
}
