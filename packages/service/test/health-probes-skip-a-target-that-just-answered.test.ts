import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { ActiveHealthCheck } from '../src/activeHealthCheck.ts'

// Issue 17: a busy link carries no health probes. A healthy target that answered a
// real request within the last interval is not probed; once the answers stop, the
// probes come back, and an unhealthy target is always probed.

const INTERVAL_MS = 100

async function countingServer (): Promise<{ url: string, connections: () => number, close: () => void }> {
  let connections = 0
  const server = createServer(socket => { connections++; socket.destroy() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, connections: () => connections, close: () => { server.close() } }
}

test('a healthy target that keeps answering real requests is not probed; when they stop, it is', async (t) => {
  const target = await countingServer()
  t.after(target.close)
  const check = new ActiveHealthCheck([target.url], { intervalMs: INTERVAL_MS, timeoutMs: 1000, unhealthyThreshold: 2, healthyThreshold: 1 })
  t.after(() => check.close())
  check.start()
  await sleep(INTERVAL_MS / 2)
  assert.equal(check.status()[0]!.healthy, true)
  const afterFirst = target.connections()
  assert.equal(afterFirst, 1, 'the first probe ran')

  // Real answers every 20 ms for 10 intervals: no probe connects.
  const busy = setInterval(() => { check.answered(0) }, 20)
  await sleep(INTERVAL_MS * 10)
  clearInterval(busy)
  assert.equal(target.connections(), afterFirst, 'no probe while real requests were answered')
  assert.equal(check.status()[0]!.healthy, true)

  // Quiet again: the probes come back.
  await sleep(INTERVAL_MS * 4)
  assert.ok(target.connections() >= afterFirst + 2, `probes resumed: ${target.connections() - afterFirst}`)
})

test('an unhealthy target is probed even while something reports answers from it', async (t) => {
  const check = new ActiveHealthCheck(['http://127.0.0.1:1'], { intervalMs: INTERVAL_MS, timeoutMs: 1000, unhealthyThreshold: 1, healthyThreshold: 1 })
  t.after(() => check.close())
  check.start()
  await sleep(INTERVAL_MS / 2)
  assert.equal(check.status()[0]!.healthy, false)
  const busy = setInterval(() => { check.answered(0) }, 20)
  t.after(() => clearInterval(busy))
  await sleep(INTERVAL_MS * 3)
  assert.equal(check.status()[0]!.healthy, false, 'still unhealthy: only probes turn it healthy again')
})
