import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { adminUrl, getJson, getText, waitFor } from '../../../test/support/adminProbe.ts'
import { startListener } from './harness.ts'

// Issue 16: the listener's /healthz was hard-coded to "ok". /readyz follows active
// health checks of the host map's origins (503 while none is reachable), and a
// Redis outage shows as "degraded" (still 200: answers are full but correct), in
// the body and in metrics, with Redis errors counted.

async function listenOn (server: Server, port: number): Promise<number> {
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function closedPort (): Promise<number> {
  const s = createServer()
  const port = await listenOn(s, 0)
  await new Promise(resolve => s.close(resolve))
  return port
}

test('/readyz flips to 503 when the only origin dies and back to 200 when it returns', async t => {
  let origin = createServer((_req, res) => { res.end('hello') })
  const port = await listenOn(origin, 0)
  const { listener } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: '127.0.0.1:0', COILGUN_HEALTH_CHECK_INTERVAL_MS: '50ms' })
  t.after(async () => { await listener.close(); origin.close() })
  const admin = adminUrl(listener.admin)

  await waitFor('ready', async () => (await getJson(`${admin}/readyz`)).status === 200)
  assert.equal((await getJson(`${admin}/readyz`)).body.status, 'ready')

  origin.closeAllConnections()
  await new Promise(resolve => origin.close(resolve))
  await waitFor('unready', async () => (await getJson(`${admin}/readyz`)).status === 503)
  const down = await getJson(`${admin}/readyz`)
  assert.deepEqual({ status: down.body.status, reason: down.body.reason }, { status: 'unready', reason: 'no origin reachable' })
  assert.equal((await getJson(`${admin}/healthz`)).status, 200)
  assert.match(await getText(`${admin}/metrics`), /coilgun_listener_origin_healthy\{origin="[^"]+"\} 0/)

  origin = createServer((_req, res) => { res.end('hello') })
  await listenOn(origin, port)
  await waitFor('ready again', async () => (await getJson(`${admin}/readyz`)).status === 200)
})

test('Redis unreachable: ready but degraded, in the body and the metrics, errors counted', async t => {
  const origin = createServer((_req, res) => { res.end('hello') })
  const port = await listenOn(origin, 0)
  const redisPort = await closedPort()
  const { listener, url } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: '127.0.0.1:0', COILGUN_HEALTH_CHECK_INTERVAL_MS: '50', COILGUN_REDIS_URL: `redis://127.0.0.1:${redisPort}` })
  t.after(async () => { await listener.close(); origin.close() })
  const admin = adminUrl(listener.admin)

  await waitFor('origin probed', async () => (await getJson(`${admin}/readyz`)).status === 200)
  const ready = await getJson(`${admin}/readyz`)
  assert.deepEqual({ status: ready.body.status, redis: ready.body.redis }, { status: 'degraded', redis: 'unavailable' })
  // Full answers still work.
  const page = await fetch(`${url}/`)
  assert.equal(await page.text(), 'hello')
  await waitFor('a connection error counted', async () => /coilgun_listener_redis_errors_total\{kind="connection"\} [1-9]/.test(await getText(`${admin}/metrics`)))
  const metrics = await getText(`${admin}/metrics`)
  assert.match(metrics, /^coilgun_listener_redis_healthy 0$/m)
  assert.match(metrics, /^coilgun_listener_degraded 1$/m)
})
