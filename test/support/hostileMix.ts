import { fork, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { SECRET } from './originConformance.ts'
import { versionedPages } from './pageVersions.ts'
import { freePort } from '../../packages/redis/test/redisServer.ts'
import { waitFor } from '../../packages/redis/test/waitFor.ts'

// Issue 12: the hostile mix. coilgun-sender (the built command) and an origin
// (hostileMixOrigin.ts) run in their own processes; this process plays normal
// visitors (closed loop, every body checked against the versions of its URL) and,
// when asked, the attackers at the same time: visitors holding large downloads
// without reading, slowloris connections, a churn of distinct URLs, and a large page
// that changes completely on every request, while the versions change. The short
// form runs in CI (test/load-hostile-mix-...), the long one from bench/hostileMix.ts.

const SENDER_MAIN = fileURLToPath(new URL('../../apps/sender/dist/main.js', import.meta.url))
const ORIGIN_MAIN = fileURLToPath(new URL('./hostileMixOrigin.ts', import.meta.url))
const TEST_DIR = fileURLToPath(new URL('..', import.meta.url))
/** Each page under this many URLs for the normal visitors. */
const VARIANTS = 20

export interface MixOptions {
  readonly seconds: number
  readonly attackers: boolean
  /** Normal visitors (closed loop). @default 8 */
  readonly visitors?: number
  /** Visitors holding a download unread, replaced when the sender cuts them. @default 16 */
  readonly slowReaders?: number
  /**
   * Each slow reader is dropped and opened again after this long, so a long run keeps
   * attacking after the sender cut it (0: held for the whole run). @default 0
   */
  readonly readerLifetimeMs?: number
  /** Slowloris connections, replaced when the sender cuts them. @default 100 */
  readonly slowloris?: number
  /** Closed-loop visitors asking for a new URL every time. @default 2 */
  readonly churners?: number
  /** Called every `sampleMs` with the figures so far. */
  readonly onSample?: (sample: MixSample) => void
  readonly sampleMs?: number
}

export interface Tally { requests: number, wrong: number, errors: number, why: Record<string, number> }

function failed (tally: Tally, why: string): void {
  tally.errors++
  tally.why[why] = (tally.why[why] ?? 0) + 1
}

export interface MixSample {
  readonly at: number
  readonly normal: Tally
  readonly p50: number
  readonly p99: number
  readonly senderRss: number
  readonly senderFds: number
  readonly visitorSockets: number
  /** Downloads the origin is still sending (slow readers the sender has not cut yet). */
  readonly downloadsOpen: number
}

export interface MixResult {
  readonly normal: Tally
  /** Normal visitors' latency percentiles, ms. */
  readonly p50: number
  readonly p99: number
  readonly churn: Tally
  readonly changing: Tally
  /** Slow readers whose download the sender stopped (send timeout), slowloris connections it closed (headers timeout). */
  readonly slowReadersCut: number
  readonly slowlorisCut: number
  /** Visitor sockets still open on the sender 10 s after every visitor left. */
  readonly leakedSockets: number
  readonly senderRss: number
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

function sha (body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}

/** The sender and the origin, each in its own process. */
export class HostileMixRig {
  readonly url: string
  readonly #sender: ChildProcess
  readonly #origin: ChildProcess
  readonly #port: number
  readonly #known: Map<string, Set<string>>
  readonly #pages: string[]

  private constructor (url: string, sender: ChildProcess, origin: ChildProcess, known: Map<string, Set<string>>) {
    this.url = url
    this.#port = Number(new URL(url).port)
    this.#sender = sender
    this.#origin = origin
    this.#known = known
    this.#pages = [...known.keys()]
  }

  /** `senderEnv` adds to the sender's environment (timeouts of the mix). */
  static async start (senderEnv: Record<string, string> = {}): Promise<HostileMixRig> {
    const origin = fork(ORIGIN_MAIN, ['--versions', '12'], { cwd: TEST_DIR, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const port = await new Promise<number>((resolve, reject) => {
      origin.once('message', (m: { type: string, port: number }) => resolve(m.port))
      origin.once('exit', code => reject(new Error(`hostile-mix origin exited with ${code}`)))
    })
    // A free port chosen here: at COILGUN_LOG_LEVEL=warn the sender prints nothing
    // while all is well (request logging would cost it CPU during the run).
    const senderPort = await freePort()
    const sender = spawn(process.execPath, [SENDER_MAIN], {
      env: { PATH: process.env.PATH ?? '', COILGUN_UPSTREAM: `http://127.0.0.1:${port}`, COILGUN_SECRET: SECRET, COILGUN_LISTEN: `127.0.0.1:${senderPort}`, COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'warn', ...senderEnv },
      stdio: ['ignore', 'ignore', 'inherit']
    })
    const url = `http://127.0.0.1:${senderPort}`
    // Its own agent, closed after: a keep-alive socket left here would count as leaked.
    const probe = new Agent({ connections: 1 })
    try {
      await waitFor('the sender to listen', async () => {
        if (sender.exitCode !== null) throw new Error(`sender exited with ${sender.exitCode}`)
        return await request(`${url}/healthcheck-of-the-mix`, { dispatcher: probe }).then(res => res.body.dump().then(() => true), () => false)
      }, 30_000)
      await probe.close()
    } catch (err) {
      sender.kill()
      origin.kill()
      throw err
    }
    const known = new Map(versionedPages(12).map(p => [p.name, new Set(p.versions.map(sha))]))
    return new HostileMixRig(url, sender, origin, known)
  }

  /** Downloads the origin is still sending (to the sender). */
  downloadsOpen (): Promise<number> {
    return new Promise(resolve => {
      const origin = this.#origin
      origin.on('message', function onStats (m: { type: string, downloadsOpen: number }) {
        if (m.type !== 'stats') return
        origin.off('message', onStats)
        resolve(m.downloadsOpen)
      })
      origin.send({ type: 'stats' })
    })
  }

  /** RSS (bytes), open descriptors, and visitor sockets (ESTABLISHED or CLOSE_WAIT) of the sender. */
  async sample (): Promise<{ rss: number, fds: number, visitorSockets: number }> {
    const pid = this.#sender.pid!
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    const fds = (await readdir(`/proc/${pid}/fd`)).length
    const hexPort = this.#port.toString(16).toUpperCase().padStart(4, '0')
    let visitorSockets = 0
    for (const table of ['tcp', 'tcp6']) {
      const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '')
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/)
        if (cols.length < 4) continue
        if (cols[1]!.endsWith(`:${hexPort}`) && (cols[3] === '01' || cols[3] === '08')) visitorSockets++
      }
    }
    return { rss, fds, visitorSockets }
  }

  async run (options: MixOptions): Promise<MixResult> {
    const started = performance.now()
    const until = started + options.seconds * 1000
    const running = (): boolean => performance.now() < until
    const normal: Tally = { requests: 0, wrong: 0, errors: 0, why: {} }
    const churn: Tally = { requests: 0, wrong: 0, errors: 0, why: {} }
    const changing: Tally = { requests: 0, wrong: 0, errors: 0, why: {} }
    const latencies: number[] = []
    const visitors = options.visitors ?? 8
    const agent = new Agent({ connections: visitors })
    const attackAgent = new Agent({ connections: 4 })
    const attackerSockets = new Set<Socket>()
    let slowReadersCut = 0
    let slowlorisCut = 0
    const port = this.#port

    const normalWorker = async (w: number): Promise<void> => {
      let n = w
      while (running()) {
        const name = this.#pages[n % this.#pages.length]!
        const path = `/page/${name}?v=${(n * 7) % VARIANTS}`
        n += visitors + 1
        const t0 = performance.now()
        try {
          const res = await request(this.url + path, { dispatcher: agent, signal: AbortSignal.timeout(30_000) })
          const body = Buffer.from(await res.body.arrayBuffer())
          latencies.push(performance.now() - t0)
          normal.requests++
          if (res.statusCode !== 200) failed(normal, String(res.statusCode))
          else if (!this.#known.get(name)!.has(sha(body))) normal.wrong++
        } catch (err) {
          normal.requests++
          failed(normal, (err as { code?: string, name?: string }).code ?? (err as Error).name)
        }
      }
    }
    let churnCounter = 0
    const churnWorker = async (): Promise<void> => {
      while (running()) {
        const name = this.#pages[churnCounter % this.#pages.length]!
        const path = `/page/${name}?churn=${churnCounter++}`
        try {
          const res = await request(this.url + path, { dispatcher: attackAgent, signal: AbortSignal.timeout(30_000) })
          const body = Buffer.from(await res.body.arrayBuffer())
          churn.requests++
          if (res.statusCode !== 200) failed(churn, String(res.statusCode))
          else if (!this.#known.get(name)!.has(sha(body))) churn.wrong++
        } catch (err) {
          churn.requests++
          failed(churn, (err as { code?: string, name?: string }).code ?? (err as Error).name)
        }
      }
    }
    const changingWorker = async (): Promise<void> => {
      while (running()) {
        try {
          const res = await request(`${this.url}/changing`, { dispatcher: attackAgent, signal: AbortSignal.timeout(30_000) })
          const body = Buffer.from(await res.body.arrayBuffer())
          changing.requests++
          if (res.statusCode !== 200) failed(changing, String(res.statusCode))
          else if (sha(body) !== res.headers['x-body-sha256']) changing.wrong++
        } catch (err) {
          changing.requests++
          failed(changing, (err as { code?: string, name?: string }).code ?? (err as Error).name)
        }
      }
    }
    // Held for the whole run without reading a byte. A paused socket never notices
    // the sender's reset, so the cut is seen where it matters: the origin stops
    // sending those downloads (downloadsOpen() at the end, readers still held).
    const openSlowReader = (i: number): void => {
      const socket = connect(port, '127.0.0.1', () => { socket.write(`GET /download?mib=1024&r=${i} HTTP/1.1\r\nHost: a\r\n\r\n`) })
      socket.on('error', () => {})
      socket.pause()
      attackerSockets.add(socket)
      const lifetime = options.readerLifetimeMs ?? 0
      if (lifetime > 0) {
        setTimeout(() => {
          socket.destroy()
          attackerSockets.delete(socket)
          if (running()) openSlowReader(i)
        }, lifetime).unref()
      }
    }
    const openSlowloris = (i: number): void => {
      const socket = connect(port, '127.0.0.1', () => { socket.write(`GET /page/x?l=${i} HTTP/1.1\r\nHost: a\r\n`) })
      socket.on('error', () => {})
      attackerSockets.add(socket)
      socket.once('close', () => {
        attackerSockets.delete(socket)
        if (!running()) return
        slowlorisCut++
        openSlowloris(i)
      })
      ;(socket as Socket & { drip?: () => void }).drip = () => { if (!socket.destroyed && socket.writable) socket.write(`X-${i}: y\r\n`) }
    }
    let drip: NodeJS.Timeout | undefined
    if (options.attackers) {
      for (let i = 0; i < (options.slowReaders ?? 16); i++) openSlowReader(i)
      for (let i = 0; i < (options.slowloris ?? 100); i++) openSlowloris(i)
      drip = setInterval(() => { for (const s of attackerSockets) (s as Socket & { drip?: () => void }).drip?.() }, 500)
    }
    let sampler: NodeJS.Timeout | undefined
    if (options.onSample !== undefined) {
      const onSample = options.onSample
      sampler = setInterval(() => {
        const sorted = [...latencies].sort((a, b) => a - b)
        void Promise.all([this.sample(), this.downloadsOpen()]).then(([s, downloadsOpen]) => onSample({ at: (performance.now() - started) / 1000, normal: { ...normal }, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), senderRss: s.rss, senderFds: s.fds, visitorSockets: s.visitorSockets, downloadsOpen }))
      }, options.sampleMs ?? 60_000)
    }
    const work: Array<Promise<void>> = Array.from({ length: visitors }, (_, w) => normalWorker(w))
    if (options.attackers) {
      for (let i = 0; i < (options.churners ?? 2); i++) work.push(churnWorker())
      work.push(changingWorker())
    }
    await Promise.all(work)
    if (options.attackers) slowReadersCut = (options.slowReaders ?? 16) - await this.downloadsOpen()
    clearInterval(drip)
    clearInterval(sampler)
    for (const s of attackerSockets) s.destroy()
    await agent.close()
    await attackAgent.close()
    const senderRss = (await this.sample()).rss
    // Every visitor is gone: the sender must hold none of their sockets.
    let leakedSockets = (await this.sample()).visitorSockets
    const deadline = performance.now() + 10_000
    while (leakedSockets > 0 && performance.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 100))
      leakedSockets = (await this.sample()).visitorSockets
    }
    latencies.sort((a, b) => a - b)
    return { normal, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), churn, changing, slowReadersCut, slowlorisCut, leakedSockets, senderRss }
  }

  async close (): Promise<void> {
    const exited = new Promise<void>(resolve => { if (this.#sender.exitCode !== null) resolve(); else this.#sender.once('exit', () => resolve()) })
    this.#sender.kill('SIGTERM')
    await exited
    this.#origin.disconnect()
    this.#origin.kill()
  }
}
