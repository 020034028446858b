import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
export const demoDir = fileURLToPath(new URL('..', import.meta.url))

/**
 * The environment of a user's shell: without the npm_* and pnpm_* variables that
 * `pnpm run test` adds (npm warns about pnpm's settings, and they would change how
 * npm and pnpm behave under test).
 */
export function shellEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name)))
}

/** Environment for a demo run on free ports, fast page changes. */
export function demoEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...shellEnv(), COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: '127.0.0.1:0', COILGUN_DEMO_CHANGE_MS: '300', COILGUN_DEMO_VISIT_MS: '100', npm_config_update_notifier: 'false', ...extra }
}

export interface RunningDemo {
  readonly child: ChildProcess
  /** The URLs the demo printed. */
  readonly sender: string
  readonly metrics: string | undefined
  stdout (): string
  stderr (): string
  /** Resolves with the exit code and signal once the process is gone. */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/** Starts the demo through `command` and resolves once it printed its URLs and a first visit. */
export async function startDemo (command: string, args: string[], options: SpawnOptions): Promise<RunningDemo> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  await new Promise<void>((resolve, reject) => {
    function onData (): void {
      if (!/^visit +1 /m.test(out)) return
      child.stdout!.off('data', onData)
      resolve()
    }
    child.stdout!.on('data', onData)
    void exited.then(e => reject(new Error(`the demo exited (${e.code ?? e.signal}) before its first visit:\n${out}\n${err}`)))
  })
  const sender = /^ {2}sender: {2}(http:\/\/\S+)/m.exec(out)?.[1]
  assert.ok(sender, out)
  return { child, sender, metrics: /^ {2}metrics: (http:\/\/\S+)/m.exec(out)?.[1], stdout: () => out, stderr: () => err, exited }
}

/** Fails unless nothing accepts connections on the URL's port any more. */
export async function assertNothingListens (url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  const error = await new Promise<NodeJS.ErrnoException | undefined>(resolve => {
    const socket = connect(Number(port), hostname)
    socket.once('connect', () => { socket.destroy(); resolve(undefined) })
    socket.once('error', resolve)
  })
  assert.equal(error?.code, 'ECONNREFUSED', `${url} still accepts connections`)
}
