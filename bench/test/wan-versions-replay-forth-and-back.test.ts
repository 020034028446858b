import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pingPong, VersionSchedule } from '../wan/versionSchedule.ts'

// The WAN origin's schedule (bench/wan/versionSchedule.ts): every change is between
// consecutive captures, however long the run.

test('versions are replayed forth and back, never wrapping from the last to the first', () => {
  assert.deepEqual(Array.from({ length: 10 }, (_v, i) => pingPong(i, 4)), [0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
  assert.equal(pingPong(5, 1), 0)
  for (let i = 1; i < 200; i++) assert.equal(Math.abs(pingPong(i, 7) - pingPong(i - 1, 7)), 1)
})

test('a resource advances every N requests for it, independently of the others', () => {
  const schedule = new VersionSchedule([5, 5], { every: 3, everyMs: undefined }, 0)
  assert.deepEqual(Array.from({ length: 7 }, () => schedule.next(0, 0)), [0, 0, 0, 1, 1, 1, 2])
  assert.equal(schedule.next(1, 0), 0)
  schedule.reset({ every: 1, everyMs: undefined }, 0)
  assert.deepEqual([schedule.next(0, 0), schedule.next(0, 0), schedule.next(1, 0)], [0, 1, 0])
})

test('on a clock schedule a resource advances every T ms, however often it is asked for', () => {
  const schedule = new VersionSchedule([3], { every: 1, everyMs: 100 }, 1000)
  assert.equal(schedule.next(0, 1000), 0)
  assert.equal(schedule.next(0, 1099), 0)
  assert.equal(schedule.next(0, 1100), 1)
  assert.equal(schedule.next(0, 1250), 2)
  assert.equal(schedule.next(0, 1300), 1)
})
