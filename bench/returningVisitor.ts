import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import type { Sender } from '@coilgun/sender'
import type { CDPSession, Page } from 'playwright-core'
import type { TopLevelSpec } from 'vega-lite'
import { chartFrame, renderSvg } from './vegaSvg.ts'
import { parseBenchArgs, positiveOption } from './benchArgs.ts'
import { runBench } from './benchMain.ts'
import { markdownTable } from './markdownTable.ts'
import { loadWorkload } from './workload.ts'
import type { VersionSet } from './workload.ts'

// Issue 18's benchmark: what a returning visitor downloads with visitor dictionaries
// (RFC 9842 dcb/dcz against the version the browser holds) against what the same
// sender sends without them (brotli 4 / gzip 6 of the page), after 1, 2 and 5
// versions; and the page-load time in headless Chromium over a throttled link, with
// and without visitor dictionaries, alternating and taking medians.
//
//   node --import tsx returningVisitor.ts [--pairs 20] [--loads 9] [--corpus DIR]
//
// Needs Node >= 22.19 (dcb/dcz) and, for the load times, Debian's chromium.

const benchDir = dirname(fileURLToPath(import.meta.url))
const SECRET = 'bench-secret-that-is-long-enough-000000000000'
const GAPS = [1, 2, 5] as const
const USAGE = 'usage: node --import tsx returningVisitor.ts [--pairs N] [--loads N] [--corpus DIR]'
/** The throttled link of the load-time part (CDP network emulation). */
const LINK = { mbitPerS: 1.6, rttMs: 150 }

interface Origin { url: string, set (name: string, index: number): void, close (): Promise<void> }

async function startOrigin (sets: readonly VersionSet[]): Promise<Origin> {
  const current = new Map<string, number>()
  const byName = new Map(sets.map(s => [s.name, s]))
  const app = Fastify()
  await app.register(coilgun, { secret: SECRET })
  app.get<{ Params: { name: string } }>('/set/:name', async function page (request, reply) {
    const set = byName.get(request.params.name)
    if (set === undefined) return reply.code(404).send('no such set')
    reply.header('content-type', set.name.endsWith('json') ? 'application/json' : 'text/html; charset=utf-8')
    reply.header('cache-control', 'no-cache')
    return reply.send(set.versions[current.get(set.name) ?? 0])
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, set (name, index) { current.set(name, index) }, close: () => app.close() }
}

async function startSender (upstream: string, dictionaries: boolean): Promise<{ sender: Sender, url: string }> {
  const sender = await buildSender(loadSenderConfig({
    COILGUN_UPSTREAM: upstream,
    COILGUN_SECRET: SECRET,
    COILGUN_LISTEN: '127.0.0.1:0',
    COILGUN_ADMIN_LISTEN: 'off',
    COILGUN_LOG_LEVEL: 'silent',
    COILGUN_VISITOR_DICTIONARIES: dictionaries ? 'on' : 'off',
    COILGUN_VISITOR_DICTIONARY_SWR: '60'
  }), { logger: false })
  return { sender, url: await sender.listen() }
}

async function bodyBytes (url: string, acceptEncoding: string, dictionary?: Buffer): Promise<{ bytes: number, coding: string }> {
  const headers: Record<string, string> = { 'accept-encoding': acceptEncoding }
  if (dictionary !== undefined) headers['available-dictionary'] = `:${createHash('sha256').update(dictionary).digest('base64')}:`
  // undici's fetch decodes br/gzip; count the bytes on the wire from Content-Length.
  const res = await fetch(url, { headers })
  const wire = Number(res.headers.get('content-length'))
  await res.arrayBuffer()
  return { bytes: wire, coding: res.headers.get('content-encoding') ?? 'identity' }
}

interface BytesRow { set: string, versions: number, gzip: number, brotli: number, dictionary: Record<number, number>, visits: Record<number, number>, coding: string }

async function measureBytes (sets: readonly VersionSet[]): Promise<BytesRow[]> {
  const origin = await startOrigin(sets)
  const { sender, url } = await startSender(origin.url, true)
  const rows: BytesRow[] = []
  try {
    for (const set of sets) {
      const page = `${url}/set/${set.name}`
      const row: BytesRow = { set: set.name, versions: set.versions.length, gzip: 0, brotli: 0, dictionary: {}, visits: {}, coding: '' }
      const codings = new Set<string>()
      for (let i = 0; i < set.versions.length; i++) {
        origin.set(set.name, i)
        // A new visitor's answer: what the link to the visitor carries without dictionaries.
        const br = await bodyBytes(page, 'br')
        const gz = await bodyBytes(page, 'gzip')
        for (const gap of GAPS) {
          if (i - gap < 0) continue
          const back = await bodyBytes(page, 'br, gzip, dcb, dcz', set.versions[i - gap])
          codings.add(back.coding)
          row.dictionary[gap] = (row.dictionary[gap] ?? 0) + back.bytes
          row.visits[gap] = (row.visits[gap] ?? 0) + 1
          if (gap === 1) { row.brotli += br.bytes; row.gzip += gz.bytes }
        }
      }
      row.coding = [...codings].sort().join('/')
      rows.push(row)
    }
  } finally {
    await sender.close()
    await origin.close()
  }
  return rows
}

interface LoadRow { set: string, loads: number, withMs: number, withoutMs: number, withBytes: number, withoutBytes: number }

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!
}

async function measureLoads (sets: readonly VersionSet[], loads: number): Promise<LoadRow[] | string> {
  const chromiumPath = process.env.COILGUN_CHROMIUM ?? '/usr/bin/chromium'
  const { existsSync } = await import('node:fs')
  if (!existsSync(chromiumPath)) return `chromium not found at ${chromiumPath}`
  const { chromium } = await import('playwright-core')
  const html = sets.filter(s => !s.name.endsWith('json'))
  const origin = await startOrigin(html)
  const on = await startSender(origin.url, true)
  const off = await startSender(origin.url, false)
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  const rows: LoadRow[] = []
  try {
    for (const set of html) {
      const times = { with: [] as number[], without: [] as number[] }
      const bytes = { with: [] as number[], without: [] as number[] }
      for (let round = 0; round < Math.min(loads, set.versions.length - 1); round++) {
        // Alternate which contender goes first, so drift on a shared machine cancels.
        const order = round % 2 === 0 ? [['with', on.url], ['without', off.url]] as const : [['without', off.url], ['with', on.url]] as const
        const contexts = new Map<string, { page: Page, cdp: CDPSession }>()
        origin.set(set.name, round)
        for (const [name, base] of order) {
          const context = await browser.newContext()
          const page = await context.newPage()
          const cdp = await context.newCDPSession(page)
          await cdp.send('Network.enable')
          await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LINK.rttMs, downloadThroughput: LINK.mbitPerS * 1e6 / 8, uploadThroughput: LINK.mbitPerS * 1e6 / 8 })
          await page.goto(`${base.replace('127.0.0.1', 'localhost')}/set/${set.name}`, { waitUntil: 'load' })
          contexts.set(name, { page, cdp })
        }
        origin.set(set.name, round + 1)
        for (const [name, base] of order) {
          const { page, cdp } = contexts.get(name)!
          let encoded = 0
          const onFinished = (e: { encodedDataLength: number }): void => { encoded += e.encodedDataLength }
          cdp.on('Network.loadingFinished', onFinished)
          await page.goto(`${base.replace('127.0.0.1', 'localhost')}/set/${set.name}`, { waitUntil: 'load' })
          cdp.off('Network.loadingFinished', onFinished)
          // Runs in the page: Navigation Timing's load end, from navigation start.
          const ms = await page.evaluate('(() => { const n = performance.getEntriesByType("navigation")[0]; return n.loadEventEnd - n.startTime })()') as number
          times[name].push(ms)
          bytes[name].push(encoded)
          await page.context().close()
        }
      }
      rows.push({ set: set.name, loads: times.with.length, withMs: median(times.with), withoutMs: median(times.without), withBytes: median(bytes.with), withoutBytes: median(bytes.without) })
    }
  } finally {
    await browser.close()
    await on.sender.close()
    await off.sender.close()
    await origin.close()
  }
  return rows
}

function bytesChart (rows: BytesRow[], node: string): TopLevelSpec {
  const values = rows.flatMap(r => [
    { set: r.set, method: 'gzip 6 (no dictionary)', bytes: r.gzip / r.visits[1]! },
    { set: r.set, method: 'brotli 4 (no dictionary)', bytes: r.brotli / r.visits[1]! },
    ...GAPS.filter(g => r.visits[g] !== undefined).map(g => ({ set: r.set, method: `dictionary, ${g} version${g === 1 ? '' : 's'} behind`, bytes: r.dictionary[g]! / r.visits[g]! }))
  ])
  return {
    ...chartFrame('Bytes to a returning visitor per page view (log scale)', `coilgun-sender, Node ${node}`),
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'set', type: 'nominal', title: null, axis: { labelAngle: 0, labelLimit: 0 } },
      xOffset: { field: 'method', type: 'nominal' },
      y: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, title: 'bytes per page view' },
      color: { field: 'method', type: 'nominal', legend: { orient: 'bottom', columns: 2, title: null, labelLimit: 0 } }
    }
  }
}

async function main (): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), { pairs: { type: 'string' }, loads: { type: 'string' }, corpus: { type: 'string' } }, USAGE)
  const workload = await loadWorkload(args.corpus, positiveOption('pairs', args.pairs, 20, true))
  const loadCount = positiveOption('loads', args.loads, 9, true)
  const node = process.versions.node
  const bytes = await measureBytes(workload.sets)
  const loads = await measureLoads(workload.sets, loadCount)
  const kb = (n: number): string => n.toFixed(0)
  const bytesTable = markdownTable(
    ['set', 'gzip 6', 'brotli 4', ...GAPS.map(g => `dictionary, ${g} behind`), 'brotli / dictionary (1 behind)', 'coding'],
    bytes.map(r => [r.set, kb(r.gzip / r.visits[1]!), kb(r.brotli / r.visits[1]!), ...GAPS.map(g => r.visits[g] === undefined ? '-' : kb(r.dictionary[g]! / r.visits[g]!)), `${(r.brotli / r.dictionary[1]!).toFixed(1)}x`, r.coding]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']
  )
  const loadsTable = typeof loads === 'string'
    ? `Load times not measured: ${loads}.`
    : markdownTable(['set', 'loads', 'with dictionaries (ms, median)', 'without (ms, median)', 'bytes with', 'bytes without'], loads.map(r => [r.set, String(r.loads), r.withMs.toFixed(0), r.withoutMs.toFixed(0), String(r.withBytes), String(r.withoutBytes)]), ['left', 'right', 'right', 'right', 'right', 'right'])
  const svg = await renderSvg(bytesChart(bytes, node))
  mkdirSync(join(benchDir, 'results'), { recursive: true })
  const major = node.split('.')[0]
  writeFileSync(join(benchDir, 'results', `returning-visitor-node${major}.svg`), svg)
  writeFileSync(join(benchDir, 'results', `returning-visitor-node${major}.json`), JSON.stringify({ date: new Date().toISOString(), node, source: workload.source, link: LINK, bytes, loads }, null, 2) + '\n')
  process.stdout.write(`Source: ${workload.source}; Node ${node}\n\nBytes per page view (body bytes, Content-Length), averaged over the versions of each set:\n\n${bytesTable}\n\nPage load in headless Chromium, ${LINK.mbitPerS} Mbit/s and ${LINK.rttMs} ms RTT (CDP network emulation), returning after one version:\n\n${loadsTable}\n`)
}

runBench('returning-visitor bench', main)
