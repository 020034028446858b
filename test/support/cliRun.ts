import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'

/** Runs an app's built main.js with exactly `env` (plus PATH) and `args`. */
export function runMain (main: string, args: readonly string[], env: Record<string, string>): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs main.js until it exits (it must exit by itself); resolves with its code and stderr. */
export async function runUntilExit (main: string, env: Record<string, string>, ms = 30_000): Promise<{ status: number | null, stderr: string }> {
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  const status = await new Promise<number | null>(resolve => child.once('exit', resolve))
  clearTimeout(timer)
  return { status, stderr }
}

/** A TCP server holding a loopback port. */
export async function holdPort (): Promise<{ server: Server, port: number }> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}
