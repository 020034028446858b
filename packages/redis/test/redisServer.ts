import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

// A real redis-server per test (issue 6): started on a free port with persistence
// off, stopped by the test that started it; never a server already running.

/** Why Redis tests skip when `redis-server` is absent (CI installs it). */
export const REDIS_SERVER_MISSING = 'redis-server not found on the PATH: install the redis-server package (CI does) to run the Redis tests'

/** True when `redis-server` runs on this machine. */
export function redisServerAvailable (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined
}

/** `{ skip: message }` for node:test when redis-server is absent, else `{}`. */
export function skipWithoutRedis (): { skip?: string } {
  return redisServerAvailable() ? {} : { skip: REDIS_SERVER_MISSING }
}

/** A TCP port nobody listens on right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** Waits for the child to exit (at once if it already has). */
function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise<void>(resolve => child.once('exit', () => resolve()))
}

export interface RedisServerOptions {
  /** Port to listen on (default: a free one). */
  port?: number
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '2mb']`. */
  args?: readonly string[]
}

/** One `redis-server` process: start, SIGKILL, SIGSTOP/SIGCONT, restart on the same port, stop. */
export class RedisServer {
  readonly port: number
  readonly url: string
  readonly #args: readonly string[]
  readonly #dir: string
  #child: ChildProcess | undefined
  #admin: Redis | undefined

  private constructor (port: number, args: readonly string[]) {
    this.port = port
    this.url = `redis://127.0.0.1:${port}`
    this.#args = args
    this.#dir = mkdtempSync(join(tmpdir(), 'coilgun-redis-'))
  }

  static async start (options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? await freePort(), options.args ?? [])
    await server.restart()
    return server
  }

  /** Process id of the running server. */
  get pid (): number | undefined {
    return this.#child?.pid
  }

  /** Starts the server (again) on its port and resolves once it accepts connections. */
  async restart (): Promise<void> {
    if (this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) throw new Error('redis-server is already running')
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', this.#dir, '--protected-mode', 'no', ...this.#args
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start in 10 s:\n${output}`)), 10_000)
      function onData (chunk: Buffer): void {
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      }
      function fail (err: Error): void {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(err)
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.once('error', fail)
      child.once('exit', (code, signal) => fail(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`)))
    })
    // Keep draining its output so the pipe never fills.
    child.stdout!.resume()
    child.stderr!.resume()
  }

  /** Kills the server at once (SIGKILL): connections drop, nothing is flushed. */
  async kill (): Promise<void> {
    const child = this.#child
    if (child === undefined) return
    child.kill('SIGKILL')
    await exited(child)
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause (): void {
    this.#child?.kill('SIGSTOP')
  }

  /** Thaws a paused server (SIGCONT). */
  resume (): void {
    this.#child?.kill('SIGCONT')
  }

  /** A command sent by the test itself (to inspect or change what the store wrote). */
  async command (name: string, ...args: Array<string | number>): Promise<unknown> {
    this.#admin ??= new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 50 })
    return this.#admin.call(name, ...args)
  }

  /** Stops the server and removes its working directory. */
  async stop (): Promise<void> {
    this.#admin?.disconnect()
    this.#admin = undefined
    const child = this.#child
    if (child !== undefined) {
      child.kill('SIGCONT')
      child.kill('SIGKILL')
      await exited(child)
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

/**
 * A Redis Cluster of `size` masters (no replicas) on free ports, slots split evenly,
 * formed with CLUSTER ADDSLOTSRANGE and CLUSTER MEET; resolves once every node
 * reports `cluster_state:ok`.
 */
export async function startRedisCluster (size = 3): Promise<{ nodes: RedisServer[], stop: () => Promise<void> }> {
  const nodes: RedisServer[] = []
  async function stop (): Promise<void> {
    await Promise.all(nodes.map(n => n.stop()))
  }
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort()
      nodes.push(await RedisServer.start({ port, args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'] }))
    }
    const per = Math.ceil(16384 / size)
    for (let i = 0; i < size; i++) {
      await nodes[i]!.command('CLUSTER', 'ADDSLOTSRANGE', i * per, Math.min(16383, (i + 1) * per - 1))
    }
    for (let i = 1; i < size; i++) await nodes[0]!.command('CLUSTER', 'MEET', '127.0.0.1', nodes[i]!.port)
    const deadline = Date.now() + 20_000
    for (const node of nodes) {
      while (!String(await node.command('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('the Redis cluster did not reach cluster_state:ok in 20 s')
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
    return { nodes, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
