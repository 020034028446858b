import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BENCH_SECRET } from './benchSecret.ts'
import { awaitChildMessage, closeChild } from './childMessages.ts'
import type { ControlMessage, ReplyMessage, ServerStats } from './serverStats.ts'

const benchDir = dirname(fileURLToPath(import.meta.url))

/** Keep-alive connections from each edge to its origin: coilgun-sender's default, given to every edge. */
export const UPSTREAM_CONNECTIONS = 32

/** The environment of a coilgun-sender edge (servers/sender.ts) in front of `upstream`, configured as in production. */
export function senderEnv (upstream: string, more: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    COILGUN_UPSTREAM: upstream,
    COILGUN_SECRET: BENCH_SECRET,
    COILGUN_LISTEN: '127.0.0.1:0',
    COILGUN_ADMIN_LISTEN: 'off',
    // The bench reads outcomes and link bytes from it; off by default (issue 11).
    COILGUN_DIAGNOSTIC_HEADER: 'on',
    COILGUN_LOG_LEVEL: 'silent',
    COILGUN_UPSTREAM_CONNECTIONS: String(UPSTREAM_CONNECTIONS),
    ...more
  }
}

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
    const ready = await awaitChildMessage(child, (message: ReplyMessage) => message.type === 'ready' ? { port: message.port, scheme: message.scheme ?? 'http' } : undefined, {
      timeoutMs: START_TIMEOUT_MS,
      timeout: () => `${name}: no port within ${START_TIMEOUT_MS} ms`,
      exited: (code, signal) => `${name}: exited before listening (code ${code}, signal ${signal}); its stderr is above`,
      killOnFailure: true
    })
    return new ServerProcess(name, `${ready.scheme}://127.0.0.1:${ready.port}`, child)
  }

  #ask<T extends ReplyMessage['type']> (type: ControlMessage['type'], answer: T): Promise<Extract<ReplyMessage, { type: T }>> {
    const id = this.#nextId++
    const name = this.name
    const reply = awaitChildMessage(this.#child, (message: ReplyMessage) => message.type === answer && 'id' in message && message.id === id ? message as Extract<ReplyMessage, { type: T }> : undefined, {
      timeoutMs: CONTROL_TIMEOUT_MS,
      timeout: () => `${name}: no answer to ${type} within ${CONTROL_TIMEOUT_MS} ms`,
      exited: code => `${name}: exited during a run (code ${code})`
    })
    this.#child.send({ type, id } satisfies ControlMessage)
    return reply
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
    await closeChild(this.#child)
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
