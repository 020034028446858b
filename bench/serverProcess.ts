import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ControlMessage, ReplyMessage, ServerStats } from './serverStats.ts'

const benchDir = dirname(fileURLToPath(import.meta.url))

/** How long a server process may take to start listening (tsx compiles on the fly). */
const START_TIMEOUT_MS = 60_000
/** How long a server may take to answer `begin`/`end`. */
const CONTROL_TIMEOUT_MS = 30_000

/**
 * One bench server in its own process (`node --import tsx <script>`), so that the
 * load generator and the server under test never share an event loop, and each
 * server's figures are its own. The child announces its port over IPC and measures
 * runs on request (serverControl.ts).
 */
export class ServerProcess {
  readonly name: string
  readonly url: string
  readonly #child: ChildProcess
  #nextId = 1

  private constructor (name: string, url: string, child: ChildProcess) {
    this.name = name
    this.url = url
    this.#child = child
  }

  /** Starts `script` (relative to bench/) with `args` and `env` added to ours. */
  static async start (name: string, script: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
    // BENCH_CPU_PROF=<dir>: every server writes V8 CPU profiles (one per thread) to
    // <dir>/<its name>/ when it ends (open them in Chrome DevTools), to see where a
    // contender spends its time.
    const profile = process.env.BENCH_CPU_PROF === undefined || process.env.BENCH_CPU_PROF === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-/, '')}`]
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script, ...args], {
      cwd: benchDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const ready = await new Promise<{ port: number, scheme: 'http' | 'https' }>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`${name}: no port within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
      function fail (err: Error): void {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        child.kill()
        reject(err)
      }
      function onMessage (message: ReplyMessage): void {
        if (message.type !== 'ready') return
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve({ port: message.port, scheme: message.scheme ?? 'http' })
      }
      function onExit (code: number | null, signal: string | null): void {
        fail(new Error(`${name}: exited before listening (code ${code}, signal ${signal}); its stderr is above`))
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
    return new ServerProcess(name, `${ready.scheme}://127.0.0.1:${ready.port}`, child)
  }

  #ask<T extends ReplyMessage['type']> (type: ControlMessage['type'], answer: T): Promise<Extract<ReplyMessage, { type: T }>> {
    const id = this.#nextId++
    const child = this.#child
    const name = this.name
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${name}: no answer to ${type} within ${CONTROL_TIMEOUT_MS} ms`)), CONTROL_TIMEOUT_MS)
      function done (err: Error | undefined, reply?: Extract<ReplyMessage, { type: T }>): void {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (err !== undefined) reject(err)
        else resolve(reply!)
      }
      function onMessage (message: ReplyMessage): void {
        if (message.type === answer && 'id' in message && message.id === id) done(undefined, message as Extract<ReplyMessage, { type: T }>)
      }
      function onExit (code: number | null): void {
        done(new Error(`${name}: exited during a run (code ${code})`))
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send({ type, id } satisfies ControlMessage)
    })
  }

  /** Starts measuring a run: resets the event-loop histogram and the counters. */
  async begin (): Promise<void> {
    await this.#ask('begin', 'begun')
  }

  /** Stops measuring and returns what the server saw since `begin`. */
  async end (): Promise<ServerStats> {
    return (await this.#ask('end', 'stats')).stats
  }

  /** Ends the process (closing its IPC channel makes it exit; SIGTERM if it lingers). */
  async close (): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.once('exit', () => { clearTimeout(timer); resolve() })
      if (child.connected) child.disconnect()
      else child.kill('SIGTERM')
    })
  }
}

/** Starts several servers at once (each takes a second or two to compile and listen). */
export async function startServers (specs: ReadonlyArray<{ name: string, script: string, args?: readonly string[], env?: Record<string, string> }>): Promise<ServerProcess[]> {
  const settled = await Promise.allSettled(specs.map(s => ServerProcess.start(s.name, s.script, s.args, s.env)))
  const started = settled.flatMap(r => r.status === 'fulfilled' ? [r.value] : [])
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(started.map(s => s.close()))
    throw failed.reason
  }
  return started
}
