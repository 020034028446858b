import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import { request } from 'undici'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { startAvailabilityOrigin } from './availabilityOrigin.ts'
import { SECRET } from './harness.ts'

// Issue 12, item 5: 200 visitor hang-ups added 200 `kind="bad-answer"` upstream
// errors and 276 KB of warn logs with stack traces. A hang-up is now its own metric
// and a debug line; real upstream failures are logged at a bounded rate.

const ABORTS = 20

interface LogLine { level: number, msg: string }

async function senderWithLog (upstream: string): Promise<{ sender: Awaited<ReturnType<typeof buildSender>>, url: string, lines: LogLine[] }> {
  const lines: LogLine[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine)
      done()
    }
  })
  const config = loadSenderConfig({ COILGUN_UPSTREAM: upstream, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off' })
  const sender = await buildSender(config, { logger: { level: 'debug', stream } })
  return { sender, url: await sender.listen(), lines }
}

async function total (counter: { get (): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0)
}

test(`${ABORTS} visitors hanging up are visitor aborts at debug level, not upstream errors`, async (t) => {
  const origin = await startAvailabilityOrigin(versionedPages(1), { current: new Map() })
  const { sender, url, lines } = await senderWithLog(origin.url)
  t.after(async () => { await sender.close(); await origin.close() })

  const hangUp = new AbortController()
  const hangUps = Promise.all(Array.from({ length: ABORTS }, async (_, i) => {
    await assert.rejects(request(`${url}/slow?ms=3000&i=${i}`, { signal: hangUp.signal }))
  }))
  // The visitors hang up once the origin has every request. A timer could fire before
  // a request was even sent on a stalled run, and nothing would be left to count.
  await waitFor('every request to reach the origin', () => (origin.seen.get('/slow') ?? 0) >= ABORTS)
  hangUp.abort()
  await hangUps
  await waitFor('every hang-up counted', async () => await total(sender.metrics.visitorAborts) === ABORTS)
  await new Promise(resolve => setTimeout(resolve, 800))
  assert.equal(await total(sender.metrics.upstreamErrors), 0, 'no upstream error')
  assert.equal(await total(sender.metrics.visitorAborts), ABORTS)
  const warnings = lines.filter(l => l.level >= 40)
  assert.deepEqual(warnings.map(l => l.msg), [], 'nothing at warn or above')
  assert.equal(lines.filter(l => l.level === 20 && /visitor closed/.test(l.msg)).length, ABORTS)
})

test('an upstream that is down is logged at a bounded rate, and still counted every time', async (t) => {
  const dead = createServer()
  await new Promise<void>(resolve => dead.listen(0, '127.0.0.1', () => resolve()))
  const deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}`
  await new Promise<void>(resolve => dead.close(() => resolve()))
  const { sender, url, lines } = await senderWithLog(deadUrl)
  t.after(() => sender.close())
  for (let i = 0; i < 30; i++) {
    const res = await request(`${url}/page/${i}`)
    await res.body.dump()
    assert.equal(res.statusCode, 502)
    assert.equal(res.headers['cache-control'], 'no-store')
  }
  assert.equal(await total(sender.metrics.upstreamErrors), 30)
  const warnings = lines.filter(l => l.level === 40 && /upstream failed/.test(l.msg))
  assert.equal(warnings.length, 1, `one warning per 10 s, not ${warnings.length}`)
})
