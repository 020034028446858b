import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { test } from 'node:test'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { ActiveHealthCheck } from '../src/activeHealthCheck.ts'

// Issue 14: one health mechanism. A real request that could not reach a target
// (`failed`, passive health checking) takes it out at once, whatever the threshold;
// it is then probed every unhealthyIntervalMs, not every intervalMs, and is back after
// healthyThreshold good probes. The sender used to run a second probe loop of its own
// for this. The regular interval here is an hour, so only the unhealthy interval can
// bring the target back within the test's wait.

const HOUR_MS = 3_600_000
const UNHEALTHY_INTERVAL_MS = 100

async function listen (port = 0): Promise<{ server: Server, port: number }> {
  const server = createServer(socket => { socket.destroy() })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

test('a target a real request could not reach is out at once and back soon after it answers again', async (t) => {
  const first = await listen()
  const port = first.port
  let server = first.server
  t.after(() => { server.close() })
  const changes: string[] = []
  const check = new ActiveHealthCheck([`http://127.0.0.1:${port}`], {
    intervalMs: HOUR_MS,
    unhealthyIntervalMs: UNHEALTHY_INTERVAL_MS,
    timeoutMs: 1000,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
    onChange: function record (_index, healthy, reason) { changes.push(healthy ? 'healthy' : `unhealthy ${reason}`) }
  })
  t.after(() => check.close())
  check.start()
  await waitFor('the first probe', () => check.status()[0]!.healthy === true)
  assert.equal(check.isDown(0), false)

  // The target goes away; one real request notices. Three failed probes would be
  // needed to take it out; the request's failure is enough.
  await new Promise<void>(resolve => server.close(() => resolve()))
  check.failed(0, 'unreachable')
  assert.equal(check.isDown(0), true)
  assert.deepEqual(check.status()[0], { url: `http://127.0.0.1:${port}`, healthy: false, reason: 'unreachable' })
  assert.deepEqual(changes, ['unhealthy unreachable'])
  check.failed(0, 'unreachable')
  assert.deepEqual(changes, ['unhealthy unreachable'], 'a second failure changes nothing')

  // The unhealthy interval's probes keep failing while nothing listens.
  await waitFor('a failed probe to record its own reason', () => check.status()[0]!.reason === 'ECONNREFUSED')
  assert.equal(check.isDown(0), true)

  // Back: two good probes (healthyThreshold) at the unhealthy interval, long before the hour.
  server = (await listen(port)).server
  await waitFor('the target to be back', () => !check.isDown(0), 5_000)
  assert.deepEqual(changes, ['unhealthy unreachable', 'healthy'])
})

test('without an unhealthy interval, a target taken out waits for the regular probes', async (t) => {
  const { server, port } = await listen()
  t.after(() => { server.close() })
  const check = new ActiveHealthCheck([`http://127.0.0.1:${port}`], { intervalMs: HOUR_MS, timeoutMs: 1000, unhealthyThreshold: 1, healthyThreshold: 1 })
  t.after(() => check.close())
  check.start()
  await waitFor('the first probe', () => check.status()[0]!.healthy === true)
  check.failed(0, 'unreachable')
  await new Promise(resolve => setTimeout(resolve, UNHEALTHY_INTERVAL_MS * 5))
  assert.equal(check.isDown(0), true, 'still out: the next probe is an hour away')
})
