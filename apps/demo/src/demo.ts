import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import type { Sender } from '@coilgun/sender'
import { exitWhenIdle } from '@coilgun/service'
import { request } from 'undici'
import { corpusPage, generatedPage } from './changingPage.ts'
import { CompressedBaseline } from './compressedBaseline.ts'
import { loadDemoConfig } from './config.ts'
import type { DemoConfig } from './config.ts'

// `npm start`: an origin app with @coilgun/fastify and a coilgun-sender in front of
// it, on loopback. The page changes every few seconds; a built-in visitor (and you,
// in a browser) requests it through the sender, and every visit prints one line: its
// own Coilgun outcome (delta when the page changed since the last visit,
// not-modified otherwise) and the bytes the origin link carried so far against the
// same pages sent brotli- or gzip-compressed without Coilgun (issue 15).

const SECRET = 'coilgun-demo-secret-not-for-production'

let config: DemoConfig
try {
  config = loadDemoConfig(process.env)
} catch (err) {
  process.stderr.write(`coilgun demo: ${(err as Error).message}\n`)
  process.exit(1)
}

const page = corpusPage(config.corpusDir) ?? generatedPage()

const origin = Fastify({ logger: false })
await origin.register(coilgun, { secret: SECRET })
origin.get('/', async function frontPage (_request, reply) {
  return reply.type(page.contentType).header('cache-control', 'no-cache').send(page.current())
})
const originUrl = await origin.listen({ host: '127.0.0.1', port: config.originPort })

interface StartedSender { sender: Sender, url: string, metricsUrl: string | undefined, moved: boolean }

/** The sender on the configured ports, or on free ones when one of those is taken. */
async function startSender (listen: string, adminListen: string, moved: boolean): Promise<StartedSender> {
  const sender = await buildSender(loadSenderConfig({ COILGUN_UPSTREAM: originUrl, COILGUN_SECRET: SECRET, COILGUN_LISTEN: listen, COILGUN_ADMIN_LISTEN: adminListen, COILGUN_LOG_LEVEL: 'warn', COILGUN_DIAGNOSTIC_HEADER: 'on' }), { logger: { level: 'warn' } })
  let url: string
  try {
    url = await sender.listen()
  } catch (err) {
    await sender.close()
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || moved) throw err
    return startSender('127.0.0.1:0', adminListen === 'off' ? 'off' : '127.0.0.1:0', true)
  }
  // Print what is listening, not what was asked for.
  const admin = sender.admin?.server.address() as AddressInfo | null | undefined
  const metricsUrl = admin == null ? undefined : `http://${admin.family === 'IPv6' ? `[${admin.address}]` : admin.address}:${admin.port}/metrics`
  return { sender, url, metricsUrl, moved }
}
const { sender, url: senderUrl, metricsUrl, moved } = await startSender(config.listen, config.adminListen, false)

console.log(`Coilgun demo
  page:    ${page.source}, changing every ${config.changeMs / 1000}s
  origin:  ${originUrl} (Fastify + @coilgun/fastify)
  sender:  ${senderUrl}  <- open this in a browser (or curl -si ${senderUrl}/)${metricsUrl === undefined ? '' : `\n  status:  ${metricsUrl.replace(/metrics$/, '')} (live charts)\n  metrics: ${metricsUrl}`}${moved ? `\n  (${config.listen} or ${config.adminListen} was taken: the sender listens on free ports instead)` : ''}
One line per visit through the sender: its outcome, then the bytes the origin link carried
so far against the same pages sent brotli- or gzip-compressed without Coilgun. Ctrl-C to stop.
`)

const baseline = new CompressedBaseline()
const totals = { visits: 0, pageBytes: 0, linkBytes: 0, brotliBytes: 0, gzipBytes: 0 }

/** One visit: its outcome line, and the totals moved on. */
async function visit (): Promise<void> {
  const res = await request(`${senderUrl}/`, { headers: { 'accept-encoding': 'identity' } })
  const body = Buffer.from(await res.body.arrayBuffer())
  const diagnostic = String(res.headers.coilgun ?? '')
  const outcome = /^[a-z-]+/.exec(diagnostic)?.[0] ?? `HTTP ${res.statusCode}`
  const codec = /codec=([^;]+)/.exec(diagnostic)?.[1]
  const up = Number(/up=(\d+)/.exec(diagnostic)?.[1] ?? body.length)
  const sizes = await baseline.sizesOf(body)
  totals.visits++
  totals.pageBytes += body.length
  totals.linkBytes += up
  totals.brotliBytes += sizes.brotli
  totals.gzipBytes += sizes.gzip
  const what = `${outcome}${codec === undefined ? '' : ` (${codec})`}`.padEnd(26)
  console.log(`visit ${String(totals.visits).padStart(3)}  ${what} ${fmt(up).padStart(9)} for a ${fmt(body.length)} page | link so far ${savings()}`)
}

function savings (): string {
  return `${fmt(totals.linkBytes)}: ${percent(totals.linkBytes, totals.brotliBytes)} of brotli ${fmt(totals.brotliBytes)}, ${percent(totals.linkBytes, totals.gzipBytes)} of gzip ${fmt(totals.gzipBytes)}`
}

function percent (part: number, whole: number): string {
  return whole === 0 ? '-' : `${(100 * part / whole).toFixed(1)}%`
}

function fmt (bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${bytes} B`
}

// One visitor loop: each visit starts after the previous one ended, so a printed line
// is always the outcome of the visit it describes (the old visit, change and report
// timers locked in phase and printed the same not-modified answer again and again).
const stopVisiting = new AbortController()
async function visitLoop (): Promise<void> {
  while (!stopVisiting.signal.aborted) {
    try {
      await visit()
    } catch (err) {
      if (!stopVisiting.signal.aborted) console.error(`visit failed: ${(err as Error).message}`)
    }
    if (config.visits > 0 && totals.visits >= config.visits) void stop()
    await sleep(config.visitMs, undefined, { signal: stopVisiting.signal }).catch(() => {})
  }
}
const changer = setInterval(() => page.advance(), config.changeMs)
const visiting = visitLoop()

let stopping: Promise<void> | undefined
function stop (): Promise<void> {
  stopping ??= (async function stopEverything () {
    clearInterval(changer)
    stopVisiting.abort()
    await visiting
    await sender.close()
    await origin.close()
    console.log(`stopped after ${totals.visits} visits: ${fmt(totals.pageBytes)} of pages served; origin link ${savings()}`)
    exitWhenIdle(0)
  })()
  return stopping
}
// `on`, not `once`: a Ctrl-C reaches the demo from the terminal and again through
// npm and pnpm, and a second signal must not cut the clean stop short.
process.on('SIGINT', function onSigint () { void stop() })
process.on('SIGTERM', function onSigterm () { void stop() })
if (config.durationMs > 0) setTimeout(() => { void stop() }, config.durationMs)
