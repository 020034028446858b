import { Worker } from 'node:worker_threads'
import type { CodecName } from '../codecs/codec.ts'
import { ERR_ENCODE_BUSY, ERR_ENCODE_TIMEOUT, ERR_ENCODER_CLOSED, ERR_ENCODER_WORKER } from '../errors.ts'
import type { EncodeTask, EncodeTaskInput, EncodeTaskResult } from './encoderPool.ts'

// The worker runs the compiled file next to this one (.js in dist, .ts from source).
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './encoderWorker.ts' : './encoderWorker.js', import.meta.url)

interface Queued {
  task: EncodeTask
  size: number
  queuedAt: number
  resolve: (r: EncodeTaskResult) => void
  reject: (err: Error) => void
}

interface LaneWorker {
  worker: Worker
  ready: boolean
  current: (Queued & { timer: NodeJS.Timeout }) | undefined
}

export interface EncoderLaneOptions {
  /** Name in errors and logs (`small`, `large`). */
  name: string
  /** Worker threads of this lane. */
  workers: number
  /** Tasks that may wait for a worker; one more is refused with COILGUN_ERR_ENCODE_BUSY. */
  queueMax: number
  /** Longest one task may run in a worker, and longest it may wait for one. */
  timeoutMs: number
  /** Nice value of this lane's worker threads (0: the process's own priority). */
  nice: number
  codecs: readonly CodecName[]
}

/**
 * One lane of encoder workers with its own bounded queue (issue 12): a worker runs
 * one task at a time, handed over by the lane, so the lane knows when each task
 * starts. A task that runs past `timeoutMs` is refused with COILGUN_ERR_ENCODE_TIMEOUT
 * and its worker terminated (a stuck encode stops spending CPU) and replaced on the
 * next task; a task that cannot be queued, or waited `timeoutMs` for a worker, is
 * refused with COILGUN_ERR_ENCODE_BUSY. Both mean "answer full": the caller never
 * waits longer than about twice `timeoutMs`.
 */
export class EncoderLane {
  readonly #options: EncoderLaneOptions
  readonly #workers: LaneWorker[] = []
  readonly #queue: Queued[] = []
  #nextId = 1
  #closed = false

  constructor (options: EncoderLaneOptions) {
    this.#options = options
  }

  run (input: EncodeTaskInput, size: number): Promise<EncodeTaskResult> {
    if (this.#closed) return Promise.reject(new ERR_ENCODER_CLOSED())
    if (this.#queue.length >= this.#options.queueMax && this.#idleWorker() === undefined) {
      return Promise.reject(new ERR_ENCODE_BUSY(this.#options.name, String(this.#queue.length)))
    }
    return new Promise<EncodeTaskResult>((resolve, reject) => {
      this.#queue.push({ task: { ...input, id: this.#nextId++ } as EncodeTask, size, queuedAt: performance.now(), resolve, reject })
      this.#pump()
    })
  }

  /** Live workers (for tests and metrics). */
  get workers (): number {
    return this.#workers.length
  }

  async close (): Promise<void> {
    this.#closed = true
    for (const queued of this.#queue.splice(0)) queued.reject(new ERR_ENCODER_CLOSED())
    const workers = this.#workers.splice(0)
    for (const w of workers) if (w.current !== undefined) clearTimeout(w.current.timer)
    await Promise.all(workers.map(w => w.worker.terminate()))
  }

  #idleWorker (): LaneWorker | undefined {
    return this.#workers.find(w => w.ready && w.current === undefined)
  }

  /** Hands queued tasks to idle workers, spawning workers up to the lane's size. */
  #pump (): void {
    while (this.#queue.length > 0) {
      const worker = this.#idleWorker()
      if (worker === undefined) {
        if (this.#workers.length < this.#options.workers) this.#spawn()
        return
      }
      const queued = this.#queue.shift()!
      if (performance.now() - queued.queuedAt > this.#options.timeoutMs) {
        queued.reject(new ERR_ENCODE_BUSY(this.#options.name, String(this.#queue.length + 1)))
        continue
      }
      this.#start(worker, queued)
    }
  }

  #start (entry: LaneWorker, queued: Queued): void {
    const timer = setTimeout(this.#timedOut.bind(this, entry), this.#options.timeoutMs)
    timer.unref()
    entry.current = { ...queued, timer }
    entry.worker.postMessage(queued.task)
  }

  #timedOut (entry: LaneWorker): void {
    const current = entry.current
    if (current === undefined) return
    entry.current = undefined
    this.#remove(entry)
    void entry.worker.terminate()
    current.reject(new ERR_ENCODE_TIMEOUT(String(current.size), String(this.#options.timeoutMs)))
    this.#pump()
  }

  #remove (entry: LaneWorker): void {
    const index = this.#workers.indexOf(entry)
    if (index !== -1) this.#workers.splice(index, 1)
  }

  #spawn (): void {
    const worker = new Worker(WORKER_URL, { workerData: { codecs: [...this.#options.codecs], nice: this.#options.nice } })
    worker.unref()
    const entry: LaneWorker = { worker, ready: false, current: undefined }
    this.#workers.push(entry)
    const gone = this.#workerGone.bind(this, entry)
    worker.on('message', this.#workerMessage.bind(this, entry))
    worker.on('error', gone)
    worker.on('exit', function onEncoderExit (code) { gone(new ERR_ENCODER_WORKER(`it exited with code ${code}`)) })
  }

  #workerMessage (entry: LaneWorker, msg: EncodeTaskResult | { ready: true }): void {
    if ('ready' in msg) {
      entry.ready = true
    } else {
      const current = entry.current
      if (current === undefined || current.task.id !== msg.id) return
      clearTimeout(current.timer)
      entry.current = undefined
      current.resolve(msg)
    }
    this.#pump()
  }

  /** A worker that failed or exited fails its task (the caller answers full) and is replaced on demand. */
  #workerGone (entry: LaneWorker, err: Error): void {
    if (!this.#workers.includes(entry)) return
    this.#remove(entry)
    const current = entry.current
    entry.current = undefined
    if (current !== undefined) {
      clearTimeout(current.timer)
      current.reject(err)
    }
    if (!this.#closed) this.#pump()
  }
}
