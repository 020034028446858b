import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CapacitySearch, roundRate } from '../wan/capacitySearch.ts'
import { nearestRank, poissonArrivals } from '../wan/openLoad.ts'

// The capacity search of the WAN bench (bench/wan/capacitySearch.ts) against a
// made-up contender that sustains everything up to a known rate.

const PLAN = { startRate: 1, factor: 2, minRate: 0.25, maxRate: 2048, refineSteps: 2, maxSteps: 16 }

function search (capacity: number, plan = PLAN): { result: CapacitySearch, tried: number[] } {
  const result = new CapacitySearch(plan)
  const tried: number[] = []
  for (let rate = result.next; rate !== undefined; rate = result.next) {
    tried.push(rate)
    result.report(rate, rate <= capacity)
  }
  return { result, tried }
}

test('the search climbs the shared ladder, then bisects between the last pass and the first failure', () => {
  const { result, tried } = search(45)
  assert.deepEqual(tried.slice(0, 7), [1, 2, 4, 8, 16, 32, 64])
  assert.deepEqual(tried.slice(7), [45, 54])
  assert.equal(result.sustained, 45)
  assert.equal(result.exceeded, 54)
})

test('a contender that sustains nothing is searched downwards to the minimum', () => {
  const { result, tried } = search(0.1)
  assert.deepEqual(tried, [1, 0.5, 0.25])
  assert.equal(result.sustained, undefined)
  assert.equal(result.exceeded, 0.25)
})

test('a contender that sustains everything stops at the ceiling, with no failure', () => {
  const { result, tried } = search(1e9)
  // Two significant digits: 64, 130, 260, 520, 1000, 2000 (4000 is past the ceiling of 2048).
  assert.deepEqual(tried.slice(6), [64, 130, 260, 520, 1000, 2000])
  assert.equal(result.sustained, 2000)
  assert.equal(result.exceeded, undefined)
})

test('the search never runs more than its steps', () => {
  const { tried } = search(1e9, { ...PLAN, maxSteps: 3 })
  assert.equal(tried.length, 3)
})

test('rates are rounded to two significant digits', () => {
  assert.equal(roundRate(45.254834), 45)
  assert.equal(roundRate(5.656854), 5.7)
})

test('arrivals repeat for a seed, at the rate asked for', () => {
  const a = poissonArrivals(200, 10, 7)
  assert.deepEqual(poissonArrivals(200, 10, 7), a)
  assert.notDeepEqual(poissonArrivals(200, 10, 8), a)
  assert.ok(a.length > 1800 && a.length < 2200, `${a.length} arrivals for 2000 expected`)
  assert.ok(a.every((t, i) => t >= 0 && t < 10_000 && (i === 0 || t >= a[i - 1]!)))
})

test('percentiles are nearest-rank, an abandoned request counting as infinitely slow', () => {
  const sorted = [...Array.from({ length: 99 }, (_v, i) => i + 1), Number.POSITIVE_INFINITY]
  assert.equal(nearestRank(sorted, 50), 50)
  assert.equal(nearestRank(sorted, 99), 99)
  assert.equal(nearestRank(sorted, 100), Number.POSITIVE_INFINITY)
  assert.ok(Number.isNaN(nearestRank([], 50)))
})
