import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PacedDirection } from '../wan/linkModel.ts'
import { bytesPerMs, DEFAULT_LINK, floorMs, transferMs } from '../wan/linkSettings.ts'

// The emulated link's arithmetic (bench/wan/linkModel.ts) with a made-up clock: the
// rate and the delay it claims, exactly, whatever the machine is doing. The
// end-to-end check of the real relay is the bench's own (it prints it with every run).

const RATE = bytesPerMs(DEFAULT_LINK) // 1250 bytes/ms at 10 Mbit/s
const DELAY = DEFAULT_LINK.rttMs / 2
const BURST = DEFAULT_LINK.burstBytes

function direction (): PacedDirection {
  return new PacedDirection(RATE, BURST, DELAY, 0)
}

test('a bulk transfer leaves at exactly the set rate, then travels half the round trip', () => {
  const link = direction()
  const segment = 16 * 1024
  const total = 2_000_000
  let last = { departMs: 0, deliverMs: 0 }
  for (let offered = 0; offered < total; offered += segment) last = link.admit(Math.min(segment, total - offered), 0)
  // The first bucket's worth passes at once; the rest at the rate.
  assert.ok(Math.abs(last.departMs - (total - BURST) / RATE) < 1e-9, `last byte left at ${last.departMs} ms`)
  assert.equal(last.deliverMs, last.departMs + DELAY)
  const mbitPerS = total * 8 / (last.departMs * 1000)
  assert.ok(Math.abs(mbitPerS - DEFAULT_LINK.mbitPerS) / DEFAULT_LINK.mbitPerS < 0.001, `${mbitPerS} Mbit/s`)
})

test('a small answer on an idle link takes only the one-way delay', () => {
  const link = direction()
  const p = link.admit(500, 1000)
  assert.equal(p.departMs, 1000)
  assert.equal(p.deliverMs, 1000 + DELAY)
})

test('after an idle spell the bucket holds one frame, not the idle time\'s worth', () => {
  const link = direction()
  link.admit(BURST, 0)
  const p = link.admit(10_000, 60_000)
  assert.ok(Math.abs(p.departMs - (60_000 + (10_000 - BURST) / RATE)) < 1e-9, `left at ${p.departMs}`)
})

test('segments leave in the order they were offered, whatever connection they belong to', () => {
  const link = direction()
  const first = link.admit(125_000, 0) // 100 ms of link time
  const second = link.admit(100, 10) // offered during the first: waits behind it
  assert.ok(second.departMs >= first.departMs)
  assert.ok(Math.abs(second.departMs - (first.departMs + 100 / RATE)) < 1e-9)
  // 125 000 bytes less the first frame at 1250 bytes/ms, then the 100 bytes: 98.9 ms from 0.
  assert.ok(Math.abs(link.backlogMs(10) - (second.departMs - 10)) < 1e-9, `backlog ${link.backlogMs(10)} ms`)
  assert.ok(link.backlogMs(10) > 88 && link.backlogMs(10) < 90)
})

test('rewind frees the link of bytes that will never be delivered', () => {
  const link = direction()
  link.admit(1_250_000, 0) // a second of link time
  link.rewind(100)
  assert.equal(link.backlogMs(100), 0)
  // Nothing ahead of it: only its own 100 bytes (the bucket was emptied by the big one).
  assert.ok(Math.abs(link.admit(100, 100).departMs - (100 + 100 / RATE)) < 1e-9)
})

test('the physical floor is one round trip plus both directions at the link rate', () => {
  assert.equal(transferMs(DEFAULT_LINK, 1250), 1)
  assert.equal(floorMs(DEFAULT_LINK, 1250, 385_000), DEFAULT_LINK.rttMs + 1 + 308)
})

test('the model refuses a link without bandwidth', () => {
  assert.throws(() => new PacedDirection(0, BURST, DELAY), RangeError)
  assert.throws(() => new PacedDirection(RATE, 0, DELAY), RangeError)
  assert.throws(() => new PacedDirection(RATE, BURST, -1), RangeError)
})
