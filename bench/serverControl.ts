import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { ControlMessage, ReplyMessage, ServerStats } from './serverStats.ts'

// The child side of a bench server process: it tells the parent its port over the
// IPC channel and, on request, measures one run inside the server process, where
// the event loop that matters lives (issue 3).

/**
 * Sampling interval of the event-loop delay histogram, ms. Each sample is the time
 * between two ticks, so the interval is subtracted from every figure, as
 * @fastify/under-pressure does; 1 ms keeps short blocks visible.
 */
const RESOLUTION_MS = 1

/** Counts socket bytes in both directions, closed connections included. */
class SocketBytes {
  readonly #open = new Set<Socket>()
  #closedOut = 0
  #closedIn = 0

  constructor (server: Server) {
    server.on('connection', (socket: Socket) => {
      this.#open.add(socket)
      socket.once('close', () => {
        this.#open.delete(socket)
        this.#closedOut += socket.bytesWritten
        this.#closedIn += socket.bytesRead
      })
    })
  }

  totals (): { out: number, in: number } {
    let out = this.#closedOut
    let inBytes = this.#closedIn
    for (const s of this.#open) {
      out += s.bytesWritten
      inBytes += s.bytesRead
    }
    return { out, in: inBytes }
  }
}

function send (message: ReplyMessage): void {
  process.send?.(message)
}

function nsToDelayMs (ns: number): number {
  return Math.max(0, ns / 1e6 - RESOLUTION_MS)
}

/**
 * Serves the parent's `begin`/`end` requests for `server` and announces `port`.
 * `counters` adds cumulative figures of this kind of server (encodes, upstream
 * bytes); each run reports how much they grew. The process exits when the parent
 * goes away, so an interrupted bench leaves no servers behind.
 */
export function serveBenchControl (server: Server, port: number, counters: () => Promise<Record<string, number>> = async () => ({}), scheme: 'http' | 'https' = 'http'): void {
  if (process.send === undefined) throw new Error('a bench server runs as a child of the bench, with an IPC channel')
  const bytes = new SocketBytes(server)
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  let requests = 0
  server.on('request', function countRequest () { requests++ })
  let start = { requests: 0, bytes: bytes.totals(), cpu: process.cpuUsage(), counters: {} as Record<string, number> }

  async function begin (id: number): Promise<void> {
    start = { requests, bytes: bytes.totals(), cpu: process.cpuUsage(), counters: await counters() }
    loop.reset()
    loop.enable()
    send({ type: 'begun', id })
  }

  async function end (id: number): Promise<void> {
    loop.disable()
    const cpu = process.cpuUsage(start.cpu)
    const now = bytes.totals()
    const grown: Record<string, number> = {}
    for (const [name, value] of Object.entries(await counters())) grown[name] = value - (start.counters[name] ?? 0)
    const stats: ServerStats = {
      eventLoop: { p50Ms: nsToDelayMs(loop.percentile(50)), p99Ms: nsToDelayMs(loop.percentile(99)), maxMs: nsToDelayMs(loop.max), samples: loop.count },
      cpuMs: (cpu.user + cpu.system) / 1000,
      requests: requests - start.requests,
      bytesOut: now.out - start.bytes.out,
      bytesIn: now.in - start.bytes.in,
      extra: grown
    }
    send({ type: 'stats', id, stats })
  }

  process.on('message', function onControl (message: ControlMessage) {
    const handled = message.type === 'begin' ? begin(message.id) : end(message.id)
    handled.catch(function reportFailure (err: unknown) {
      process.stderr.write(`bench server: ${message.type} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
      process.exit(1)
    })
  })
  process.once('disconnect', function parentGone () { process.exit(0) })
  send({ type: 'ready', port, scheme })
}
