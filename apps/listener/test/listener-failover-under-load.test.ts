import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { SECRET, startSender } from './harness.ts'

// Issue 5: two listeners (separate processes, separate stores) behind one sender;
// one is killed with SIGKILL in the middle of 500 requests: no visitor GET fails,
// every page is a correct version of its URL.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

async function spawnListener (origin: string): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', COILGUN_ORIGIN: origin, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    child.once('exit', code => reject(new Error(`listener exited with ${code}: ${out}`)))
  })
  child.stdout!.resume()
  return { url, child }
}

test('one of two listeners killed during 500 requests: zero failed GETs, every page correct', async (t) => {
  const pages = versionedPages(6)
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
  const a = await spawnListener(origin.url)
  const b = await spawnListener(origin.url)
  const { sender, url } = await startSender(`${a.url},${b.url}`, { COILGUN_CONNECT_TIMEOUT_MS: '1000' })
  t.after(async () => { await sender.close(); a.child.kill('SIGKILL'); b.child.kill('SIGKILL'); await origin.close() })
  const known = new Map(pages.map(p => [p.name, new Set(p.versions.map(v => createHash('sha256').update(v).digest('hex')))]))

  let done = 0
  let failed = 0
  const outcomes = new Map<string, number>()
  const TOTAL = 500
  async function worker (w: number): Promise<void> {
    while (done < TOTAL) {
      const n = done++
      if (n === 150) a.child.kill('SIGKILL')
      if (n % 40 === 0) for (const p of pages) state.current.set(p.name, (n / 40) % p.versions.length)
      const page = pages[(w + n) % pages.length]!
      try {
        const res = await rawGet(`${url}/page/${page.name}`)
        if (res.status !== 200) { failed++; continue }
        assert.ok(known.get(page.name)!.has(createHash('sha256').update(res.body).digest('hex')), `request ${n}: not a version of ${page.name}`)
        const outcome = String(res.headers.coilgun).split(';')[0]!
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_ASSERTION') throw err
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)))
  assert.equal(failed, 0, `failed visitor requests: ${failed}`)
  assert.ok(a.child.killed)
  assert.ok((outcomes.get('delta') ?? 0) > 100, `deltas kept flowing: ${JSON.stringify([...outcomes])}`)
})
