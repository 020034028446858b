import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startSender } from './harness.ts'

// Issue 4: an origin that lost its store (restart) answers full, then deltas flow
// again; an origin whose delta is corrupted in transit makes the sender refetch
// the full page: the visitor gets the right page and the metric counts it.

const pages = versionedPages(6)
const page = pages[0]!

async function metric (sender: Awaited<ReturnType<typeof startSender>>['sender'], name: string): Promise<string> {
  return sender.metrics.registry.getSingleMetricAsString(name)
}

test('origin restarted: correct full pages, then deltas again', async (t) => {
  const state: AppState = { current: new Map() }
  let origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  const port = Number(new URL(origin.url).port)
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); await origin.close() })
  const outcomes: string[] = []
  for (let i = 0; i < page.versions.length; i++) {
    if (i === 3) {
      // Same address, empty store.
      await origin.close()
      origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false, port })
    }
    state.current.set(page.name, i)
    const res = await rawGet(`${url}/page/${page.name}`)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1} differs`)
    outcomes.push(String(res.headers.coilgun).split(';')[0]!)
  }
  assert.deepEqual(outcomes, ['full', 'delta', 'delta', 'full', 'delta', 'delta'])
})

test('a corrupted delta is refetched in full; the visitor gets the right page', async (t) => {
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  // Between sender and origin: flips one byte in every 226 body.
  const corrupter = createServer(async (req, res) => {
    const upstream = await request(origin.url + (req.url ?? '/'), { headers: req.headers as Record<string, string> })
    const body = Buffer.from(await upstream.body.arrayBuffer())
    if (upstream.statusCode === 226) body[body.length >> 1] = body[body.length >> 1]! ^ 0x40
    const headers = { ...upstream.headers }
    delete headers['transfer-encoding']
    headers['content-length'] = String(body.length)
    res.writeHead(upstream.statusCode, headers as Record<string, string>)
    res.end(body)
  })
  await new Promise<void>(resolve => corrupter.listen(0, '127.0.0.1', resolve))
  const { sender, url } = await startSender(`http://127.0.0.1:${(corrupter.address() as AddressInfo).port}`, { COILGUN_CODECS: 'vcdiff' })
  t.after(async () => { await sender.close(); corrupter.close(); await origin.close() })
  for (let i = 0; i < 3; i++) {
    state.current.set(page.name, i)
    const res = await rawGet(`${url}/page/${page.name}`)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1} differs`)
    const diag = String(res.headers.coilgun)
    if (i === 0) assert.match(diag, /^full/)
    else assert.match(diag, /^fallback; up=\d+; size=\d+; ut=\d+; why=COILGUN_ERR_(VERIFY_FAILED|DELTA_CORRUPT)/)
  }
  const failures = await metric(sender, 'coilgun_verification_failures_total')
  const counted = [...failures.matchAll(/coilgun_verification_failures_total\{reason="[A-Z_]+"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  assert.equal(counted, 2)
  assert.match(await metric(sender, 'coilgun_requests_total'), /outcome="fallback",status_class="2xx"\} 2/)
})
