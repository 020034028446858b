import { fork, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { SECRET } from '../support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { freePort } from '@coilgun/fixtures/redisServer'
import { median, sampleProcess } from './processSample.ts'
import type { ProcessSample } from './processSample.ts'

// `npm run soak -- --minutes 30` (issue 8, long form of
// test/load-sender-and-origin-stay-correct-and-flat.test.ts): coilgun-sender and an
// origin (the Fastify test app with @coilgun/fastify, or a plain one behind
// coilgun-listener with --topology listener), each in its own process as in
// production, under sustained concurrent load while every page keeps changing.
// Every body is checked against the versions of its URL. Every --sample-seconds it
// prints throughput, errors, latency, RSS and open file descriptors of each process
// and the sender's cache accounting. At the end it judges: no wrong page; error rate
// at most --max-error-rate; RSS after warm-up grown by at most --max-rss-growth-mib;
// open descriptors under load grown by at most --max-fd-growth after warm-up, and,
// with the visitors gone, no more than that plus the keep-alive pools. Exit code 1
// when any of these fails. --out writes the samples as JSON.

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'warmup-minutes': { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    versions: { type: 'string', default: '12' },
    'change-ms': { type: 'string', default: '500' },
    topology: { type: 'string', default: 'plugin' },
    'sample-seconds': { type: 'string', default: '60' },
    'max-error-rate': { type: 'string', default: '0.001' },
    'max-rss-growth-mib': { type: 'string', default: '64' },
    'max-fd-growth': { type: 'string', default: '16' },
    out: { type: 'string' }
  }
})
const minutes = Number(values.minutes)
const warmupMinutes = values['warmup-minutes'] === undefined ? Math.min(5, minutes / 6) : Number(values['warmup-minutes'])
const concurrency = Number(values.concurrency)
const sampleMs = Number(values['sample-seconds']) * 1000
const topology = values.topology
if (!(minutes > 0) || !(concurrency > 0) || !(sampleMs > 0) || (topology !== 'plugin' && topology !== 'listener')) {
  process.stderr.write('soak: --minutes, --concurrency, --sample-seconds take positive numbers; --topology is plugin or listener\n')
  process.exit(2)
}

const longDir = dirname(fileURLToPath(import.meta.url))
const repo = resolve(longDir, '..', '..')
const MiB = 1024 * 1024
/** Each page under this many URLs, so the sender's cache holds more than a handful of entries. */
const VARIANTS = 20
const children: ChildProcess[] = []

function stopChildren (): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}
process.once('SIGINT', () => { stopChildren(); process.exit(130) })
process.once('exit', stopChildren)

async function untilAnswers (url: string, what: string): Promise<void> {
  const deadline = performance.now() + 60_000
  for (;;) {
    try {
      const res = await request(url)
      await res.body.dump()
      return
    } catch {
      if (performance.now() > deadline) throw new Error(`soak: ${what} did not answer within 60 s`)
      await new Promise(r => setTimeout(r, 200))
    }
  }
}

// The origin, then (with --topology listener) a listener, then the sender.
const origin = fork(join(longDir, 'soakOrigin.ts'), ['--versions', values.versions, '--change-ms', values['change-ms'], ...(topology === 'plugin' ? ['--plugin'] : [])], { cwd: longDir, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
children.push(origin)
const originPort = await new Promise<number>((resolve, reject) => {
  origin.once('message', (m: { port: number }) => resolve(m.port))
  origin.once('exit', code => reject(new Error(`soak: the origin exited with ${code}`)))
})
let upstream = `http://127.0.0.1:${originPort}`
let listener: ChildProcess | undefined
const quiet = { PATH: process.env.PATH ?? '', COILGUN_SECRET: SECRET, COILGUN_LOG_LEVEL: 'warn' }
if (topology === 'listener') {
  const port = await freePort()
  listener = spawn(process.execPath, [join(repo, 'apps/listener/dist/main.js')], { env: { ...quiet, COILGUN_ORIGIN: upstream, COILGUN_LISTEN: `127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: 'off' }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(listener)
  upstream = `http://127.0.0.1:${port}`
  await untilAnswers(`${upstream}/page/none`, 'the listener')
}
const senderPort = await freePort()
const adminPort = await freePort()
const sender = spawn(process.execPath, [join(repo, 'apps/sender/dist/main.js')], {
  env: { ...quiet, COILGUN_UPSTREAM: upstream, COILGUN_LISTEN: `127.0.0.1:${senderPort}`, COILGUN_ADMIN_LISTEN: `127.0.0.1:${adminPort}`, COILGUN_DIAGNOSTIC_HEADER: 'on' },
  stdio: ['ignore', 'ignore', 'inherit']
})
children.push(sender)
const senderUrl = `http://127.0.0.1:${senderPort}`
await untilAnswers(`http://127.0.0.1:${adminPort}/healthz`, 'the sender')

const pages = versionedPages(Number(values.versions))
const known = new Map(pages.map(p => [p.name, new Set(p.versions.map(v => createHash('sha256').update(v).digest('hex')))]))
const watched: Array<[string, ChildProcess]> = [['sender', sender], ['origin', origin], ...(listener === undefined ? [] : [['listener', listener]] as Array<[string, ChildProcess]>)]

async function sampleAll (): Promise<Record<string, ProcessSample>> {
  const out: Record<string, ProcessSample> = {}
  for (const [name, child] of watched) out[name] = await sampleProcess(child.pid)
  return out
}

async function senderCache (): Promise<{ bytes: number, entries: number }> {
  const res = await request(`http://127.0.0.1:${adminPort}/metrics`)
  const text = await res.body.text()
  return {
    bytes: Number(/^coilgun_cache_bytes (\d+)/m.exec(text)?.[1] ?? 0),
    entries: Number(/^coilgun_cache_entries (\d+)/m.exec(text)?.[1] ?? 0)
  }
}

const idleBefore = await sampleAll()
const visitors = new Agent({ connections: concurrency })
const started = performance.now()
const endAt = started + minutes * 60_000
const totals = { requests: 0, errors: 0, wrong: 0 }
const errorsByKind = new Map<string, number>()
const outcomes = new Map<string, number>()
let latencies: number[] = []
interface Sample { minute: number, requests: number, errors: number, wrong: number, p50Ms: number, p99Ms: number, processes: Record<string, ProcessSample>, cache: { bytes: number, entries: number } }
const samples: Sample[] = []

async function worker (w: number): Promise<void> {
  let n = w
  while (performance.now() < endAt) {
    const page = pages[n % pages.length]!
    const path = `/page/${page.name}?v=${(n * 7) % VARIANTS}`
    n += concurrency + 1
    const t0 = performance.now()
    try {
      const res = await request(senderUrl + path, { dispatcher: visitors })
      const body = Buffer.from(await res.body.arrayBuffer())
      latencies.push(performance.now() - t0)
      totals.requests++
      if (res.statusCode !== 200) {
        totals.errors++
        errorsByKind.set(`status ${res.statusCode}`, (errorsByKind.get(`status ${res.statusCode}`) ?? 0) + 1)
        continue
      }
      if (!known.get(page.name)!.has(createHash('sha256').update(body).digest('hex'))) totals.wrong++
      const outcome = String(res.headers.coilgun).split(';')[0]!
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    } catch (err) {
      totals.requests++
      totals.errors++
      const kind = (err as { code?: string }).code ?? 'exception'
      errorsByKind.set(kind, (errorsByKind.get(kind) ?? 0) + 1)
    }
  }
}

function percentile (sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

let last = { ...totals }
let lastAt = started
async function takeSample (): Promise<void> {
  const sorted = latencies.sort((a, b) => a - b)
  latencies = []
  const seconds = (performance.now() - lastAt) / 1000
  lastAt = performance.now()
  const sample: Sample = {
    minute: (performance.now() - started) / 60_000,
    requests: totals.requests - last.requests,
    errors: totals.errors - last.errors,
    wrong: totals.wrong - last.wrong,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    processes: await sampleAll(),
    cache: await senderCache()
  }
  last = { ...totals }
  samples.push(sample)
  const procs = Object.entries(sample.processes).map(([name, s]) => `${name} ${Math.round(s.rss / MiB)} MiB/${s.fds} fds`).join(', ')
  process.stderr.write(`soak ${sample.minute.toFixed(1)}/${minutes} min: ${Math.round(sample.requests / Math.max(0.001, seconds))} req/s, ${sample.errors} errors, ${sample.wrong} wrong, p50 ${sample.p50Ms.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(1)} ms; ${procs}; cache ${sample.cache.entries} entries ${(sample.cache.bytes / MiB).toFixed(1)} MiB\n`)
}

const sampler = setInterval(() => { void takeSample() }, sampleMs)
await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
clearInterval(sampler)
// The last interval may have just fired; a sample over a few milliseconds says nothing.
if (performance.now() - lastAt > 1000 || samples.length === 0) await takeSample()
await visitors.close()
// Let the sender notice the visitors' sockets closing.
await new Promise(r => setTimeout(r, 2000))
const idleAfter = await sampleAll()

// Verdict.
const warm = samples.filter(s => s.minute >= warmupMinutes)
const judged = warm.length >= 2 ? warm : samples
const growth: Record<string, number> = {}
for (const [name] of watched) {
  const series = judged.map(s => s.processes[name]!.rss)
  const head = median(series.slice(0, Math.min(3, series.length)))
  const tail = median(series.slice(-Math.min(3, series.length)))
  growth[name] = (tail - head) / MiB
}
// Under load, descriptors must not climb; idle again, only keep-alive pools may remain
// (each process keeps at most one pooled connection per concurrent visitor).
const fdUnderLoad = Object.fromEntries(watched.map(([name]) => [name, judged.at(-1)!.processes[name]!.fds - judged[0]!.processes[name]!.fds]))
const fdGrowth = Object.fromEntries(watched.map(([name]) => [name, idleAfter[name]!.fds - idleBefore[name]!.fds]))
const poolAllowance = 2 * Math.min(concurrency, 64)
const errorRate = totals.errors / Math.max(1, totals.requests)
const checks = [
  { what: 'wrong pages', ok: totals.wrong === 0, value: String(totals.wrong), bound: '0' },
  { what: 'error rate', ok: errorRate <= Number(values['max-error-rate']), value: `${(errorRate * 100).toFixed(4)}%`, bound: `${(Number(values['max-error-rate']) * 100).toFixed(4)}%` },
  ...Object.entries(growth).map(([name, mib]) => ({ what: `${name} RSS growth after warm-up`, ok: mib <= Number(values['max-rss-growth-mib']), value: `${mib.toFixed(1)} MiB`, bound: `${values['max-rss-growth-mib']} MiB` })),
  ...Object.entries(fdUnderLoad).map(([name, n]) => ({ what: `${name} file descriptors under load, after warm-up vs end`, ok: n <= Number(values['max-fd-growth']), value: `${n > 0 ? '+' : ''}${n}`, bound: `+${values['max-fd-growth']}` })),
  ...Object.entries(fdGrowth).map(([name, n]) => ({ what: `${name} file descriptors, idle after vs before (keep-alive pools allowed)`, ok: n <= Number(values['max-fd-growth']) + poolAllowance, value: `${n > 0 ? '+' : ''}${n}`, bound: `+${Number(values['max-fd-growth']) + poolAllowance}` }))
]
const elapsed = (performance.now() - started) / 60_000
process.stdout.write(`\n## Soak: ${elapsed.toFixed(1)} min, topology ${topology}, ${concurrency} concurrent visitors, Node ${process.versions.node}\n\n`)
process.stdout.write(`${totals.requests} requests (${Math.round(totals.requests / (elapsed * 60))}/s), outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, errors ${JSON.stringify(Object.fromEntries(errorsByKind))}\n`)
const firstCache = judged[0]?.cache
const lastCache = judged.at(-1)?.cache
if (firstCache !== undefined && lastCache !== undefined) process.stdout.write(`sender cache after warm-up: ${firstCache.entries} entries / ${(firstCache.bytes / MiB).toFixed(1)} MiB -> ${lastCache.entries} / ${(lastCache.bytes / MiB).toFixed(1)} MiB\n`)
process.stdout.write('\n| check | observed | bound | |\n|---|---|---|---|\n')
for (const c of checks) process.stdout.write(`| ${c.what} | ${c.value} | ${c.bound} | ${c.ok ? 'ok' : 'FAILED'} |\n`)
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify({ minutes: elapsed, topology, concurrency, node: process.versions.node, totals, errorsByKind: Object.fromEntries(errorsByKind), outcomes: Object.fromEntries(outcomes), growth, fdUnderLoad, fdGrowth, samples }, null, 2)}\n`)
stopChildren()
process.exit(checks.every(c => c.ok) ? 0 : 1)
