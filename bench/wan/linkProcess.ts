import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { awaitChildMessage, closeChild } from '../childMessages.ts'
import type { RelaySnapshot, RelayTarget, RouteCounters } from './linkRelay.ts'
import type { RelayMessage, SnapshotRequest } from './linkMessages.ts'
import type { LinkSettings } from './linkSettings.ts'

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** How long the relay may take to start (tsx compiles on the fly on a busy machine). */
const START_TIMEOUT_MS = 60_000
const SNAPSHOT_TIMEOUT_MS = 10_000
/** How often `quiet` looks at the relay's queues. */
const QUIET_POLL_MS = 20

/** What one route carried between two snapshots, and the relay's CPU meanwhile. */
export interface LinkUsage {
  readonly up: number
  readonly down: number
  readonly connections: number
  readonly cpuMs: number
}

export interface LinkMark {
  readonly routes: readonly RouteCounters[]
  readonly cpuMs: number
}

/**
 * The relay process seen from the bench: one URL per route, and counters. The
 * bench marks the counters before a run and asks what a route carried since.
 */
export class LinkProcess {
  readonly settings: LinkSettings
  /** `http://127.0.0.1:<port>` of each route, in target order. */
  readonly urls: readonly string[]
  readonly ports: readonly number[]
  readonly #child: ChildProcess
  #nextId = 1

  private constructor (settings: LinkSettings, ports: readonly number[], child: ChildProcess) {
    this.settings = settings
    this.ports = ports
    this.urls = ports.map(p => `http://127.0.0.1:${p}`)
    this.#child = child
  }

  static async start (settings: LinkSettings, targets: readonly RelayTarget[]): Promise<LinkProcess> {
    const args = ['--import', 'tsx', 'wan/relay.ts', '--mbit', String(settings.mbitPerS), '--rtt', String(settings.rttMs), '--burst', String(settings.burstBytes)]
    for (const t of targets) args.push('--target', `${t.host}:${t.port}`)
    const child = spawn(process.execPath, args, { cwd: benchDir, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const ports = await awaitChildMessage(child, (message: RelayMessage) => message.type === 'ready' ? message.ports : undefined, {
      timeoutMs: START_TIMEOUT_MS,
      timeout: () => `WAN relay: no ports within ${START_TIMEOUT_MS} ms`,
      exited: code => `WAN relay exited before listening (code ${code}); its stderr is above`,
      killOnFailure: true
    })
    return new LinkProcess(settings, ports, child)
  }

  async snapshot (): Promise<{ snapshot: RelaySnapshot, cpuMs: number }> {
    const id = this.#nextId++
    const reply = awaitChildMessage(this.#child, (message: RelayMessage) => message.type === 'snapshot' && message.id === id ? { snapshot: message.snapshot, cpuMs: message.cpuMs } : undefined, {
      timeoutMs: SNAPSHOT_TIMEOUT_MS,
      timeout: () => `WAN relay: no snapshot within ${SNAPSHOT_TIMEOUT_MS} ms`,
      exited: code => `WAN relay exited (code ${code})`
    })
    this.#child.send({ type: 'snapshot', id } satisfies SnapshotRequest)
    return await reply
  }

  /** The counters now: pass to `usageSince` after a run. */
  async mark (): Promise<LinkMark> {
    const { snapshot, cpuMs } = await this.snapshot()
    return { routes: snapshot.routes, cpuMs }
  }

  /** What `route` carried since `mark`. */
  async usageSince (mark: LinkMark, route: number): Promise<LinkUsage> {
    const now = await this.mark()
    const before = mark.routes[route]!
    const after = now.routes[route]!
    return { up: after.up - before.up, down: after.down - before.down, connections: after.connections - before.connections, cpuMs: now.cpuMs - mark.cpuMs }
  }

  /**
   * Waits until nothing is queued on the link (answers of aborted requests drained
   * or dropped), so one contender's leftovers never slow the next one's run.
   */
  async quiet (timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const { snapshot } = await this.snapshot()
      if (snapshot.queuedBytes <= 0 && snapshot.backlogMs.up === 0 && snapshot.backlogMs.down === 0) return
      if (performance.now() > deadline) throw new Error(`WAN relay: still ${snapshot.queuedBytes} bytes queued after ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, QUIET_POLL_MS))
    }
  }

  async close (): Promise<void> {
    await closeChild(this.#child)
  }
}
