import { fork, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { SECRET } from './originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { freePort } from '@coilgun/fixtures/redisServer'
import { waitFor } from '@coilgun/fixtures/waitFor'

// Issue 12: the hostile mix. coilgun-sender (the built command) and an origin
// (hostileMixOrigin.ts) run in their own processes; this process plays normal
// visitors (closed loop, every body checked against the versions of its URL) and,
// when asked, a third process (hostileMixAttackers.ts) attacks at the same time: visitors holding large downloads
// without reading, slowloris connections, a churn of distinct URLs, and a large page
// that changes completely on every request, while the versions change. The short
// form runs in CI (test/load-hostile-mix-...), the long one from bench/hostileMix.ts.

const SENDER_MAIN = fileURLToPath(new URL('../../apps/sender/dist/main.js', import.meta.url))
const ORIGIN_MAIN = fileURLToPath(new URL('./hostileMixOrigin.ts', import.meta.url))
const ATTACKERS_MAIN = fileURLToPath(new URL('./hostileMixAttackers.ts', import.meta.url))
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

import { failed } from './hostileMixAttackers.ts'
import type { AttackReport, Tally } from './hostileMixAttackers.ts'
export type { Tally }

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
    const latencies: number[] = []
    const visitors = options.visitors ?? 8
    const agent = new Agent({ connections: visitors })
    // The attackers run in a process of their own, so their work does not slow the
    // normal visitors' event loop here and the p99 ratio measures the sender.
    const attackers = options.attackers ? this.#startAttackers(options) : undefined

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
    let sampler: NodeJS.Timeout | undefined
    if (options.onSample !== undefined) {
      const onSample = options.onSample
      sampler = setInterval(() => {
        const sorted = [...latencies].sort((a, b) => a - b)
        void Promise.all([this.sample(), this.downloadsOpen()]).then(([s, downloadsOpen]) => onSample({ at: (performance.now() - started) / 1000, normal: { ...normal }, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), senderRss: s.rss, senderFds: s.fds, visitorSockets: s.visitorSockets, downloadsOpen }))
      }, options.sampleMs ?? 60_000)
    }
    await Promise.all(Array.from({ length: visitors }, (_, w) => normalWorker(w)))
    clearInterval(sampler)
    let attack: AttackReport = { churn: { requests: 0, wrong: 0, errors: 0, why: {} }, changing: { requests: 0, wrong: 0, errors: 0, why: {} }, slowlorisCut: 0 }
    let slowReadersCut = 0
    if (attackers !== undefined) {
      attack = await attackers.ran
      // Readers still held, unread: every download the origin stopped sending was cut.
      slowReadersCut = (options.slowReaders ?? 16) - await this.downloadsOpen()
      await attackers.stop()
    }
    await agent.close()
    const { churn, changing, slowlorisCut } = attack
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

  #startAttackers (options: MixOptions): { ran: Promise<AttackReport>, stop: () => Promise<void> } {
    const child = fork(ATTACKERS_MAIN, [JSON.stringify({ url: this.url, seconds: options.seconds, slowReaders: options.slowReaders ?? 16, readerLifetimeMs: options.readerLifetimeMs ?? 0, slowloris: options.slowloris ?? 100, churners: options.churners ?? 2 })], { cwd: TEST_DIR, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
    const ran = new Promise<AttackReport>((resolve, reject) => {
      child.once('message', (m: AttackReport) => resolve(m))
      void exited.then(() => reject(new Error('the attackers exited before reporting')))
    })
    return { ran, stop: async () => { child.send({ type: 'stop' }); await exited } }
  }

  async close (): Promise<void> {
    const exited = new Promise<void>(resolve => { if (this.#sender.exitCode !== null) resolve(); else this.#sender.once('exit', () => resolve()) })
    this.#sender.kill('SIGTERM')
    await exited
    this.#origin.disconnect()
    this.#origin.kill()
  }
}
