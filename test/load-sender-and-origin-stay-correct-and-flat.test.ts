import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import type { Server } from 'node:http'
import { test } from 'node:test'
import { Agent, request } from 'undici'
import { startSender } from '../apps/sender/test/harness.ts'
import { buildApp } from '../packages/fastify/test/app.ts'
import { waitFor } from '@coilgun/fixtures/waitFor'
import type { AppState } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// Issue 8, short form of the soak (long/soak.ts runs it for 30 minutes and more):
// sustained concurrent load through a sender and a Fastify origin with the plugin
// while every page keeps changing. Zero wrong pages (each body is a real version of
// its URL); the error rate is recorded (and is zero here, nothing being broken);
// after warm-up, RSS and the sender's cache accounting stay flat; once the visitors
// leave, no socket or file descriptor is left behind beyond the upstream keep-alive pool.

const SECONDS = Number(process.env.COILGUN_LOAD_SECONDS ?? 15)
const WARM_UP_SECONDS = Math.min(4, SECONDS / 4)
const CONCURRENCY = 16
/** Each page under this many URLs (query strings), so the cache holds more than a handful of entries. */
const VARIANTS = 20
const MiB = 1024 * 1024

function openFds (): number {
  return readdirSync('/proc/self/fd').length
}

function connections (server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => err === null ? resolve(n) : reject(err)))
}

test(`${SECONDS} s of load while versions change: no wrong page, no error, flat memory, no leaked sockets`, { skip: process.platform !== 'linux' ? 'counts /proc/self/fd' : false }, async (t) => {
  const pages = versionedPages(12)
  const known = new Map(pages.map(p => [p.name, new Set(p.versions.map(v => createHash('sha256').update(v).digest('hex')))]))
  const state: AppState = { current: new Map() }
  const origin = await buildApp(pages, state, { plugin: true, compress: false })
  const originUrl = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  const pair = await startSender(originUrl)
  t.after(() => pair.sender.close())
  const visitors = new Agent({ connections: CONCURRENCY, pipelining: 1 })
  const fdsBefore = openFds()

  let version = 0
  const changing = setInterval(function nextVersions () {
    version++
    for (const p of pages) state.current.set(p.name, version % p.versions.length)
  }, 150)
  t.after(() => clearInterval(changing))

  let requests = 0
  let errors = 0
  let wrong = 0
  const outcomes = new Map<string, number>()
  const samples: Array<{ at: number, rss: number, cacheBytes: number, cacheEntries: number }> = []
  const started = performance.now()
  const sampler = setInterval(() => samples.push({ at: (performance.now() - started) / 1000, rss: process.memoryUsage().rss, cacheBytes: pair.sender.cache.bytes, cacheEntries: pair.sender.cache.entries }), 250)
  t.after(() => clearInterval(sampler))

  async function worker (w: number): Promise<void> {
    let n = w
    while (performance.now() - started < SECONDS * 1000) {
      const page = pages[n % pages.length]!
      const path = `/page/${page.name}?v=${(n * 7) % VARIANTS}`
      n += CONCURRENCY + 1
      try {
        const res = await request(pair.url + path, { dispatcher: visitors })
        const body = Buffer.from(await res.body.arrayBuffer())
        requests++
        if (res.statusCode !== 200) { errors++; continue }
        if (!known.get(page.name)!.has(createHash('sha256').update(body).digest('hex'))) wrong++
        const outcome = String(res.headers.coilgun).split(';')[0]!
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      } catch {
        requests++
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)))
  clearInterval(sampler)
  clearInterval(changing)
  const elapsed = (performance.now() - started) / 1000

  const warm = samples.filter(s => s.at >= WARM_UP_SECONDS)
  const first = warm[0]!
  const last = warm.at(-1)!
  const rssGrowth = (Math.max(...warm.map(s => s.rss)) - first.rss) / MiB
  t.diagnostic(`${requests} requests in ${elapsed.toFixed(1)} s (${Math.round(requests / elapsed)}/s), ${errors} errors (${(100 * errors / Math.max(1, requests)).toFixed(3)}%), ${wrong} wrong; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`)
  t.diagnostic(`after warm-up: RSS ${(first.rss / MiB).toFixed(0)} -> ${(last.rss / MiB).toFixed(0)} MiB (peak +${rssGrowth.toFixed(1)}), cache ${first.cacheEntries} entries / ${(first.cacheBytes / MiB).toFixed(1)} MiB -> ${last.cacheEntries} / ${(last.cacheBytes / MiB).toFixed(1)} MiB`)

  assert.equal(wrong, 0, 'every page served is a real version of its URL')
  assert.equal(errors, 0, 'nothing is broken, so nothing fails')
  assert.ok(requests > CONCURRENCY * 10, `load was applied (${requests} requests)`)
  // How many answers are deltas depends on how fast versions change against the
  // request rate on a shared machine; a twentieth proves they flowed under load.
  assert.ok((outcomes.get('delta') ?? 0) > requests / 20, 'versions changed under load and were carried as deltas')
  // Flat: the key set is fixed, so entries stay put and bytes only follow page sizes.
  assert.equal(last.cacheEntries, first.cacheEntries)
  assert.ok(last.cacheBytes < first.cacheBytes * 1.5 + MiB && last.cacheBytes > first.cacheBytes / 1.5 - MiB, 'cache accounting stays flat')
  assert.ok(rssGrowth < 128, `RSS grew by ${rssGrowth.toFixed(1)} MiB after warm-up`)

  // Visitors leave: their sockets close; what remains is the sender's upstream keep-alive pool.
  await visitors.close()
  await waitFor('the visitors\' connections to close at the sender', async () => await connections(pair.sender.app.server) === 0)
  const upstream = await connections(origin.server)
  const fdsAfter = openFds()
  t.diagnostic(`file descriptors: ${fdsBefore} before, ${fdsAfter} after; ${upstream} upstream keep-alive connections`)
  assert.ok(upstream <= 32, `at most the pool's 32 upstream connections (${upstream})`)
  assert.ok(fdsAfter - fdsBefore <= 2 * upstream + 16, `file descriptors grew by ${fdsAfter - fdsBefore}`)
})
