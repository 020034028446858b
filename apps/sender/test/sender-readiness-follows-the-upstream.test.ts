import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { adminUrl, getJson, getText, waitFor } from '../../../test/support/adminProbe.ts'
import { startSender } from './harness.ts'

// Issue 16: /healthz said "ok" while the only origin refused connections and every
// visitor got a 502. /readyz now follows active health checks of the upstreams:
// 503 with a reason while none is reachable, 200 again once one is back; /healthz
// (liveness) stays 200 throughout.

async function listenOn (server: Server, port: number): Promise<number> {
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function plainOrigin (): Server {
  return createServer((_req, res) => { res.end('hello') })
}

test('/readyz answers 503 with a reason while the origin is down and 200 once it is back', async t => {
  let origin = plainOrigin()
  const port = await listenOn(origin, 0)
  const { sender } = await startSender(`http://127.0.0.1:${port}`, { COILGUN_ADMIN_LISTEN: '127.0.0.1:0', COILGUN_HEALTH_CHECK_INTERVAL_MS: '50ms', COILGUN_HEALTH_CHECK_UNHEALTHY_THRESHOLD: '2' })
  t.after(async () => { await sender.close(); origin.close() })
  const admin = adminUrl(sender.admin)

  await waitFor('ready', async () => (await getJson(`${admin}/readyz`)).status === 200)
  assert.equal((await getJson(`${admin}/readyz`)).body.status, 'ready')
  assert.match(await getText(`${admin}/metrics`), new RegExp(`coilgun_upstream_healthy\\{upstream="http://127.0.0.1:${port}"\\} 1`))

  origin.closeAllConnections()
  await new Promise(resolve => origin.close(resolve))
  await waitFor('unready', async () => (await getJson(`${admin}/readyz`)).status === 503)
  const down = await getJson(`${admin}/readyz`)
  assert.deepEqual({ status: down.body.status, reason: down.body.reason }, { status: 'unready', reason: 'no upstream reachable' })
  assert.equal((down.body.upstreams as Array<{ reason: string }>)[0]!.reason, 'ECONNREFUSED')
  assert.deepEqual(await getJson(`${admin}/healthz`), { status: 200, body: { status: 'ok' } })
  assert.match(await getText(`${admin}/metrics`), /coilgun_upstream_healthy\{upstream="[^"]+"\} 0/)

  origin = plainOrigin()
  await listenOn(origin, port)
  await waitFor('ready again', async () => (await getJson(`${admin}/readyz`)).status === 200)
})

test('with several upstreams the sender stays ready while one of them is reachable', async t => {
  const live = plainOrigin()
  const livePort = await listenOn(live, 0)
  const dead = plainOrigin()
  const deadPort = await listenOn(dead, 0)
  await new Promise(resolve => dead.close(resolve))
  const { sender } = await startSender(`http://127.0.0.1:${deadPort},http://127.0.0.1:${livePort}`, { COILGUN_ADMIN_LISTEN: '127.0.0.1:0', COILGUN_HEALTH_CHECK_INTERVAL_MS: '50' })
  t.after(async () => { await sender.close(); live.close() })
  const admin = adminUrl(sender.admin)
  await waitFor('both probed', async () => !(await getText(`${admin}/metrics`)).includes('coilgun_upstream_healthy{upstream="http://127.0.0.1:' + String(livePort) + '"} 0'))
  const ready = await getJson(`${admin}/readyz`)
  assert.equal(ready.status, 200)
  assert.deepEqual((ready.body.upstreams as Array<{ healthy: boolean }>).map(u => u.healthy), [false, true])
})
