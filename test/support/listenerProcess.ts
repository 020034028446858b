import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SECRET } from './originConformance.ts'

const main = fileURLToPath(new URL('../../apps/listener/dist/main.js', import.meta.url))

/** `coilgun-listener` as users run it (the built bin), in its own process, on a fixed port. */
export class ListenerProcess {
  readonly url: string
  readonly #child: ChildProcess

  private constructor (child: ChildProcess, url: string) {
    this.#child = child
    this.url = url
  }

  static async start (port: number, env: Record<string, string>): Promise<ListenerProcess> {
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', COILGUN_SECRET: SECRET, COILGUN_LISTEN: `127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      function onData (d: Buffer): void {
        out += d.toString()
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)
        if (m === null) return
        child.stdout!.off('data', onData)
        child.off('exit', onExit)
        child.stdout!.resume()
        resolve(m[1]!)
      }
      function onExit (code: number | null): void { reject(new Error(`listener exited with ${code}: ${out}`)) }
      child.stdout!.on('data', onData)
      child.once('exit', onExit)
    })
    return new ListenerProcess(child, url)
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop (signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
    return new Promise(resolve => {
      child.once('exit', code => resolve(code))
      child.kill(signal)
    })
  }
}
