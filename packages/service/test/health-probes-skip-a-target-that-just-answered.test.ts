import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { ActiveHealthCheck, MAX_SKIPPED_PROBES } from '../src/activeHealthCheck.ts'

// Issue 17: a busy link carries few health probes. A healthy target that answered a
// real request within the last interval is not probed, but a real probe still runs
// every MAX_SKIPPED_PROBES + 1 intervals (an answer on a warm connection does not show
// that a new one would succeed); once the answers stop, every interval is probed again;
// an unhealthy target is always probed. Intervals are long enough that a loaded
// machine's timer delays do not decide the outcome.

const INTERVAL_MS = 500

async function countingServer (): Promise<{ url: string, connections: () => number, close: () => void }> {
  let connections = 0
  const server = createServer(socket => { connections++; socket.destroy() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, connections: () => connections, close: () => { server.close() } }
}

test('while a healthy target keeps answering, most probes are skipped but not all; when the answers stop, every interval is probed', async (t) => {
  const target = await countingServer()
  t.after(target.close)
  const check = new ActiveHealthCheck([target.url], { intervalMs: INTERVAL_MS, timeoutMs: 1000, unhealthyThreshold: 2, healthyThreshold: 1 })
  t.after(() => check.close())
  check.start()
  await waitFor('the first probe', () => check.status()[0]!.healthy === true && target.connections() === 1)

  // Real answers every 20 ms for half the skip budget: no probe connects.
  const busy = setInterval(() => { check.answered(0) }, 20)
  t.after(() => clearInterval(busy))
  await sleep(INTERVAL_MS * Math.floor(MAX_SKIPPED_PROBES / 2))
  assert.equal(target.connections(), 1, 'no probe while real requests were answered')
  // Still answering: a real probe comes once the skip budget is spent.
  await waitFor('a real probe despite the answers', () => target.connections() >= 2, INTERVAL_MS * (MAX_SKIPPED_PROBES + 6))
  clearInterval(busy)
  assert.equal(check.status()[0]!.healthy, true)

  // Quiet again: probes every interval.
  const quietFrom = target.connections()
  await waitFor('probes to resume', () => target.connections() >= quietFrom + 3, INTERVAL_MS * 12)
})

test('an unhealthy target is probed even while something reports answers from it', async (t) => {
  const check = new ActiveHealthCheck(['http://127.0.0.1:1'], { intervalMs: INTERVAL_MS, timeoutMs: 1000, unhealthyThreshold: 1, healthyThreshold: 1 })
  t.after(() => check.close())
  check.start()
  await waitFor('the first probe to fail', () => check.status()[0]!.healthy === false)
  const busy = setInterval(() => { check.answered(0) }, 20)
  t.after(() => clearInterval(busy))
  await sleep(INTERVAL_MS * 3)
  assert.equal(check.status()[0]!.healthy, false, 'still unhealthy: only probes turn it healthy again')
})
