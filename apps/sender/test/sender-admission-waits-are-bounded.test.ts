import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Lane } from '../src/admission.ts'

// Issue 12: the admission in front of each upstream pool. undici acted on a queued
// request's abort only once it was dispatched; here a waiter leaves the queue the
// moment its signal fires (the request's deadline, which counts from the visitor's
// request), a full queue refuses at once, and slots pass on in arrival order.

test('a queued request leaves at its deadline; a full queue refuses at once; slots pass on in order', async () => {
  const lane = new Lane('upstream (pages)', 1, 2)
  const held = lane.tryAcquire()!
  assert.equal(lane.tryAcquire(), undefined)

  const start = performance.now()
  // As the sender's deadline does (abortAfter): a timer that aborts the request.
  const deadline = new AbortController()
  setTimeout(() => deadline.abort(Object.assign(new Error('deadline'), { name: 'TimeoutError' })), 150)
  const late = lane.acquire(deadline.signal)
  const first = lane.acquire(new AbortController().signal)
  await assert.rejects(lane.acquire(new AbortController().signal), { code: 'COILGUN_ERR_UPSTREAM_BUSY' })
  await assert.rejects(late, { name: 'TimeoutError' })
  const waited = performance.now() - start
  assert.ok(waited >= 140 && waited < 2000, `left the queue after ${waited.toFixed(0)} ms`)
  assert.equal(lane.queued, 1)

  const second = lane.acquire(new AbortController().signal)
  held.release()
  held.release()
  const p1 = await first
  assert.equal(lane.active, 1, 'the slot passed straight to the first waiter')
  p1.release()
  const p2 = await second
  p2.release()
  assert.equal(lane.active, 0)
  assert.equal(lane.queued, 0)
})
