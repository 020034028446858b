import assert from 'node:assert/strict'
import { test } from 'node:test'
import { skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { runQuick } from './benchChild.ts'

// The Redis hit-rate bench (issue 6) runs in --quick mode in its own process, prints
// its table, and shows what the shared store is for: the two instances on Redis get
// every delta the single instance gets, the two with embedded stores none of them.

function hitRates (stdout: string, origin: string): string[] {
  return stdout.split('\n').filter(line => line.includes(`| ${origin} `)).map(line => line.split('|')[5]!.trim())
}

test('the Redis hit-rate bench runs in --quick mode and prints the hit rates', { ...skipWithoutRedis(), timeout: 120_000 }, () => {
  const r = runQuick('redisHitRate.ts', [], 110_000)
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  const redis = hitRates(r.stdout, 'two instances, shared Redis')
  const peer = hitRates(r.stdout, 'two instances, embedded stores (peer)')
  const single = hitRates(r.stdout, 'one instance, embedded store')
  assert.ok(redis.length > 0, `a row for the Redis store:\n${r.stdout}`)
  assert.deepEqual(redis, single, 'shared Redis: the hit rate of a single instance')
  assert.ok(redis.every(rate => rate === '100%'), `every delta with Redis: ${redis.join(', ')}`)
  assert.ok(peer.every(rate => rate !== '100%'), `embedded stores behind a round-robin miss: ${peer.join(', ')}`)
  // Without the corpus the synthetic-data banner says it instead.
  assert.match(r.stdout, /--quick|SYNTHETIC DATA/, 'a quick run says it is not a record')
})
