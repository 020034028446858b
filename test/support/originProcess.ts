import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { OriginChildMessage, OriginChildReport } from './originChild.ts'

const script = fileURLToPath(new URL('./originChild.ts', import.meta.url))

/** The origin of originChild.ts in a child process: versions, a stall on demand, SIGKILL. */
export class OriginProcess {
  readonly url: string
  readonly port: number
  readonly #child: ChildProcess

  private constructor (child: ChildProcess, port: number) {
    this.#child = child
    this.port = port
    this.url = `http://127.0.0.1:${port}`
  }

  /** Starts the origin (with the Coilgun plugin when `plugin`), on `port` or a free one. */
  static async start (options: { plugin: boolean, port?: number }): Promise<OriginProcess> {
    const args = ['--port', String(options.port ?? 0), ...(options.plugin ? ['--plugin'] : [])]
    const child = fork(script, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const port = await new Promise<number>((resolve, reject) => {
      function onMessage (m: OriginChildReport): void {
        if (m.type !== 'ready') return
        child.off('exit', onExit)
        resolve(m.port)
      }
      function onExit (code: number | null): void { reject(new Error(`origin child exited with ${code} before listening`)) }
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
    return new OriginProcess(child, port)
  }

  #send (message: OriginChildMessage): Promise<void> {
    return new Promise(resolve => {
      const child = this.#child
      function onMessage (m: OriginChildReport): void {
        if (m.type !== 'applied') return
        child.off('message', onMessage)
        resolve()
      }
      child.on('message', onMessage)
      child.send(message)
    })
  }

  /** Serves version `index` of page `name` from now on. */
  set (name: string, index: number): Promise<void> {
    return this.#send({ type: 'set', name, index })
  }

  /**
   * Arms a stall: the next page response writes half its body and stops.
   * `stalled` resolves once that half has been written to the socket.
   */
  async stallNext (): Promise<{ stalled: Promise<number> }> {
    const child = this.#child
    const stalled = new Promise<number>(resolve => {
      function onMessage (m: OriginChildReport): void {
        if (m.type !== 'stalled') return
        child.off('message', onMessage)
        resolve(m.written)
      }
      child.on('message', onMessage)
    })
    await this.#send({ type: 'stall' })
    return { stalled }
  }

  /** SIGKILL: the process dies at once, its sockets are closed by the kernel. */
  async kill (): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>(resolve => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }
}
