import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { PacedDirection } from './linkModel.ts'
import { bytesPerMs } from './linkSettings.ts'
import type { LinkSettings } from './linkSettings.ts'

// The emulated WAN link as a TCP relay (issue 7: no `tc netem` on these machines).
// Each route is a loopback port that forwards to one target (an origin); every
// route shares the same link, one paced direction each way, as contenders that
// take turns share one leased line. Bytes are counted when they reach the far
// end: what crossed the link, both directions, TCP payload only.

/** Largest piece the relay queues at once: finer pieces interleave connections more fairly. */
export const SEGMENT_BYTES = 16 * 1024
/** Queued bytes of one connection and direction above which its source is paused (TCP would stop sending). */
const HIGH_WATER_BYTES = 1024 * 1024
/** ... and below which it reads again. */
const LOW_WATER_BYTES = 256 * 1024

export interface RelayTarget {
  readonly host: string
  readonly port: number
}

type Direction = 'up' | 'down'

/** What one route carried since the relay started; the parent subtracts two snapshots. */
export interface RouteCounters {
  /** Bytes delivered edge → origin (requests). */
  readonly up: number
  /** Bytes delivered origin → edge (answers). */
  readonly down: number
  /** Connections accepted, and connections still open. */
  readonly connections: number
  readonly open: number
}

export interface RelaySnapshot {
  readonly routes: readonly RouteCounters[]
  /** Bytes accepted from a source and not yet delivered (queued or in flight), both directions. */
  readonly queuedBytes: number
  /** How long a byte offered now would wait before the bottleneck, per direction, ms. */
  readonly backlogMs: { readonly up: number, readonly down: number }
}

interface Connection {
  readonly route: number
  readonly client: Socket
  readonly upstream: Socket
  /** No byte of the edge's leaves before the emulated handshake has taken one round trip. */
  readonly openAt: number
  /** Edge bytes held until the handshake is done; undefined marks the edge's end. */
  readonly waiting: Array<Buffer | undefined>
  waitTimer: NodeJS.Timeout | undefined
  readonly queued: Record<Direction, number>
  readonly ended: Record<Direction, boolean>
  closedSockets: number
  dead: boolean
}

interface Segment {
  readonly conn: Connection
  /** undefined: the source ended (FIN), to be passed on after its data. */
  readonly bytes: Buffer | undefined
  readonly deliverMs: number
}

interface Lane {
  readonly model: PacedDirection
  readonly queue: Segment[]
  timer: NodeJS.Timeout | undefined
}

interface RouteState {
  up: number
  down: number
  connections: number
  open: number
}

export class LinkRelay {
  readonly #settings: LinkSettings
  readonly #targets: readonly RelayTarget[]
  readonly #servers: Server[] = []
  readonly #lanes: Record<Direction, Lane>
  readonly #routes: RouteState[]
  readonly #connections = new Set<Connection>()
  /** Bytes accepted and not yet delivered, of live connections, per direction. */
  readonly #queued: Record<Direction, number> = { up: 0, down: 0 }

  constructor (settings: LinkSettings, targets: readonly RelayTarget[]) {
    this.#settings = settings
    this.#targets = targets
    const rate = bytesPerMs(settings)
    const now = performance.now()
    this.#lanes = {
      up: { model: new PacedDirection(rate, settings.burstBytes, settings.rttMs / 2, now), queue: [], timer: undefined },
      down: { model: new PacedDirection(rate, settings.burstBytes, settings.rttMs / 2, now), queue: [], timer: undefined }
    }
    this.#routes = targets.map(() => ({ up: 0, down: 0, connections: 0, open: 0 }))
  }

  /** Listens on one loopback port per target; returns the ports in target order. */
  async listen (): Promise<number[]> {
    const ports: number[] = []
    for (let route = 0; route < this.#targets.length; route++) {
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => { this.#accept(route, client) })
      this.#servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
      })
      ports.push((server.address() as AddressInfo).port)
    }
    return ports
  }

  snapshot (): RelaySnapshot {
    const now = performance.now()
    return {
      routes: this.#routes.map(r => ({ ...r })),
      queuedBytes: this.#queued.up + this.#queued.down,
      backlogMs: { up: this.#lanes.up.model.backlogMs(now), down: this.#lanes.down.model.backlogMs(now) }
    }
  }

  async close (): Promise<void> {
    for (const conn of this.#connections) this.#teardown(conn)
    for (const lane of Object.values(this.#lanes)) clearTimeout(lane.timer)
    await Promise.all(this.#servers.map(s => new Promise<void>(resolve => s.close(() => resolve()))))
  }

  #accept (route: number, client: Socket): void {
    const target = this.#targets[route]!
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true })
    const conn: Connection = {
      route,
      client,
      upstream,
      openAt: performance.now() + this.#settings.rttMs,
      waiting: [],
      waitTimer: undefined,
      queued: { up: 0, down: 0 },
      ended: { up: false, down: false },
      closedSockets: 0,
      dead: false
    }
    this.#connections.add(conn)
    const counters = this.#routes[route]!
    counters.connections++
    counters.open++
    client.on('data', (chunk: Buffer) => { this.#fromEdge(conn, chunk) })
    client.on('end', () => { conn.ended.up = true; this.#fromEdge(conn, undefined) })
    upstream.on('data', (chunk: Buffer) => { this.#offer(conn, 'down', chunk) })
    upstream.on('end', () => { conn.ended.down = true; this.#offer(conn, 'down', undefined) })
    for (const [socket, dir] of [[client, 'up'], [upstream, 'down']] as const) {
      socket.on('error', () => { this.#teardown(conn) })
      socket.on('close', () => {
        // A side that closes without having ended its sending was cut off: so is the other.
        if (!conn.ended[dir]) this.#teardown(conn)
        if (++conn.closedSockets === 2) this.#forget(conn)
      })
    }
  }

  /** The edge's bytes wait for the emulated handshake (one round trip) before they leave. */
  #fromEdge (conn: Connection, chunk: Buffer | undefined): void {
    if (conn.dead) return
    if (conn.waitTimer === undefined && performance.now() >= conn.openAt) {
      this.#offer(conn, 'up', chunk)
      return
    }
    conn.waiting.push(chunk)
    if (chunk !== undefined) this.#addQueued(conn, 'up', chunk.length)
    conn.waitTimer ??= setTimeout(() => {
      conn.waitTimer = undefined
      if (conn.dead) return
      for (const piece of conn.waiting.splice(0)) {
        if (piece !== undefined) this.#addQueued(conn, 'up', -piece.length)
        this.#offer(conn, 'up', piece)
      }
      // One millisecond more: a timer may fire that much early on the performance clock.
    }, Math.max(0, Math.ceil(conn.openAt - performance.now()) + 1))
  }

  #offer (conn: Connection, dir: Direction, chunk: Buffer | undefined): void {
    if (conn.dead) return
    const lane = this.#lanes[dir]
    const now = performance.now()
    if (chunk === undefined) {
      lane.queue.push({ conn, bytes: undefined, deliverMs: lane.model.admit(0, now).deliverMs })
    } else {
      for (let offset = 0; offset < chunk.length; offset += SEGMENT_BYTES) {
        const piece = chunk.subarray(offset, Math.min(chunk.length, offset + SEGMENT_BYTES))
        lane.queue.push({ conn, bytes: piece, deliverMs: lane.model.admit(piece.length, now).deliverMs })
      }
      this.#addQueued(conn, dir, chunk.length)
      if (conn.queued[dir] > HIGH_WATER_BYTES) (dir === 'up' ? conn.client : conn.upstream).pause()
    }
    this.#arm(dir)
  }

  #arm (dir: Direction): void {
    const lane = this.#lanes[dir]
    const head = lane.queue[0]
    if (lane.timer !== undefined || head === undefined) return
    // Never early: a timer may fire up to a millisecond before its time on the
    // performance clock, so #deliver checks and re-arms.
    lane.timer = setTimeout(() => { lane.timer = undefined; this.#deliver(dir) }, Math.max(0, Math.ceil(head.deliverMs - performance.now())))
  }

  #deliver (dir: Direction): void {
    const lane = this.#lanes[dir]
    const now = performance.now()
    while (lane.queue.length > 0 && lane.queue[0]!.deliverMs <= now) {
      const { conn, bytes } = lane.queue.shift()!
      if (conn.dead) continue
      const target = dir === 'up' ? conn.upstream : conn.client
      if (!target.writable) {
        // The far end went away: what was queued for it never arrives, and is not counted.
        this.#teardown(conn)
        continue
      }
      if (bytes === undefined) {
        target.end()
        continue
      }
      this.#addQueued(conn, dir, -bytes.length)
      this.#routes[conn.route]![dir] += bytes.length
      target.write(bytes)
      const source = dir === 'up' ? conn.client : conn.upstream
      if (source.isPaused() && conn.queued[dir] < LOW_WATER_BYTES) source.resume()
    }
    this.#arm(dir)
  }

  #addQueued (conn: Connection, dir: Direction, bytes: number): void {
    conn.queued[dir] += bytes
    this.#queued[dir] += bytes
  }

  #teardown (conn: Connection): void {
    if (conn.dead) return
    conn.dead = true
    clearTimeout(conn.waitTimer)
    for (const dir of ['up', 'down'] as const) {
      this.#queued[dir] -= conn.queued[dir]
      conn.queued[dir] = 0
      // Only bytes of cut connections left: drop them, and free the link at once
      // (otherwise the next contender's first requests would queue behind them).
      const lane = this.#lanes[dir]
      if (this.#queued[dir] === 0 && lane.queue.every(s => s.conn.dead)) {
        lane.queue.length = 0
        lane.model.rewind(performance.now())
      }
    }
    conn.client.destroy()
    conn.upstream.destroy()
  }

  #forget (conn: Connection): void {
    if (!this.#connections.delete(conn)) return
    this.#teardown(conn)
    this.#routes[conn.route]!.open--
  }
}
