import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// The attackers of the hostile mix (hostileMix.ts forks this file): visitors holding
// a large download without reading it, slowloris connections dripping a header line
// every 500 ms (replaced when the sender cuts them), visitors asking for a new URL
// every time, and one asking for the page that changes completely on every request.
// Every body they do get is checked too. Runs `seconds`, reports an AttackReport over
// IPC, and keeps its sockets until told { type: 'stop' }.

export interface Tally { requests: number, wrong: number, errors: number, why: Record<string, number> }

export interface AttackReport {
  readonly churn: Tally
  readonly changing: Tally
  readonly slowlorisCut: number
}

export interface AttackOptions {
  readonly url: string
  readonly seconds: number
  readonly slowReaders: number
  /** Each slow reader is dropped and opened again after this long (0: held for the run). */
  readonly readerLifetimeMs: number
  readonly slowloris: number
  readonly churners: number
}

export function failed (tally: Tally, why: string): void {
  tally.errors++
  tally.why[why] = (tally.why[why] ?? 0) + 1
}

function sha (body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}

/** Runs the attack; resolves with the report and a function that drops every attacker socket. */
export async function attack (options: AttackOptions): Promise<{ report: AttackReport, stop: () => void }> {
  const until = performance.now() + options.seconds * 1000
  const running = (): boolean => performance.now() < until
  const known = new Map(versionedPages(12).map(p => [p.name, new Set(p.versions.map(sha))]))
  const pages = [...known.keys()]
  const port = Number(new URL(options.url).port)
  const churn: Tally = { requests: 0, wrong: 0, errors: 0, why: {} }
  const changing: Tally = { requests: 0, wrong: 0, errors: 0, why: {} }
  const agent = new Agent({ connections: options.churners + 1 })
  const sockets = new Set<Socket>()
  let slowlorisCut = 0

  let churnCounter = 0
  async function churnWorker (): Promise<void> {
    while (running()) {
      const name = pages[churnCounter % pages.length]!
      const path = `/page/${name}?churn=${churnCounter++}`
      try {
        const res = await request(options.url + path, { dispatcher: agent, signal: AbortSignal.timeout(30_000) })
        const body = Buffer.from(await res.body.arrayBuffer())
        churn.requests++
        if (res.statusCode !== 200) failed(churn, String(res.statusCode))
        else if (!known.get(name)!.has(sha(body))) churn.wrong++
      } catch (err) {
        churn.requests++
        failed(churn, (err as { code?: string }).code ?? (err as Error).name)
      }
    }
  }
  async function changingWorker (): Promise<void> {
    while (running()) {
      try {
        const res = await request(`${options.url}/changing`, { dispatcher: agent, signal: AbortSignal.timeout(30_000) })
        const body = Buffer.from(await res.body.arrayBuffer())
        changing.requests++
        if (res.statusCode !== 200) failed(changing, String(res.statusCode))
        else if (sha(body) !== res.headers['x-body-sha256']) changing.wrong++
      } catch (err) {
        changing.requests++
        failed(changing, (err as { code?: string }).code ?? (err as Error).name)
      }
    }
  }
  // Never reads a byte. A paused socket never notices the sender's reset, so the
  // parent sees the cut where it matters: the origin stops sending the download.
  function openSlowReader (i: number): void {
    const socket = connect(port, '127.0.0.1', () => { socket.write(`GET /download?mib=1024&r=${i} HTTP/1.1\r\nHost: a\r\n\r\n`) })
    socket.on('error', () => {})
    socket.pause()
    sockets.add(socket)
    if (options.readerLifetimeMs > 0) {
      setTimeout(() => {
        socket.destroy()
        sockets.delete(socket)
        if (running()) openSlowReader(i)
      }, options.readerLifetimeMs).unref()
    }
  }
  function openSlowloris (i: number): void {
    const socket = connect(port, '127.0.0.1', () => { socket.write(`GET /page/x?l=${i} HTTP/1.1\r\nHost: a\r\n`) })
    socket.on('error', () => {})
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      if (!running()) return
      slowlorisCut++
      openSlowloris(i)
    })
    ;(socket as Socket & { drip?: () => void }).drip = () => { if (!socket.connecting && !socket.destroyed && socket.writable) socket.write(`X-${i}: y\r\n`) }
  }
  for (let i = 0; i < options.slowReaders; i++) openSlowReader(i)
  for (let i = 0; i < options.slowloris; i++) openSlowloris(i)
  const drip = setInterval(() => { for (const s of sockets) (s as Socket & { drip?: () => void }).drip?.() }, 500)
  await Promise.all([...Array.from({ length: options.churners }, () => churnWorker()), changingWorker()])
  clearInterval(drip)
  return {
    report: { churn, changing, slowlorisCut },
    stop: () => {
      for (const s of sockets) s.destroy()
      void agent.close()
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send !== undefined) {
  const { report, stop } = await attack(JSON.parse(process.argv[2]!) as AttackOptions)
  process.send(report)
  process.once('message', function onStop () {
    stop()
    process.disconnect()
    setTimeout(() => process.exit(0), 100).unref()
  })
}
