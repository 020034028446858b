import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { StatusRecorder } from '../src/index.ts'

function registry (): { registry: Registry, link: Counter, saved: Counter, requests: Counter<'outcome'>, latency: Histogram, cache: Gauge } {
  const registry = new Registry()
  const registers = [registry]
  return {
    registry,
    link: new Counter({ name: 'link_bytes_total', help: 'x', registers }),
    saved: new Counter({ name: 'saved_bytes_total', help: 'x', registers }),
    requests: new Counter({ name: 'requests_total', help: 'x', labelNames: ['outcome'], registers }),
    latency: new Histogram({ name: 'upstream_seconds', help: 'x', buckets: [0.01, 0.1, 1], registers }),
    cache: new Gauge({ name: 'cache_bytes', help: 'x', registers })
  }
}

const SERIES = { linkBytes: 'link_bytes_total', pageBytes: ['link_bytes_total', 'saved_bytes_total'], outcomes: 'requests_total', latency: 'upstream_seconds', cacheBytes: 'cache_bytes' }

test('each point holds what happened in its interval: bytes, outcomes, latency percentiles, gauges', async () => {
  const m = registry()
  const status = new StatusRecorder({ service: 'test', source: m.registry, series: SERIES, intervalMs: 1000 })
  await status.sample()
  m.link.inc(100); m.saved.inc(900); m.requests.inc({ outcome: 'delta' }, 3); m.cache.set(5000)
  for (let i = 0; i < 98; i++) m.latency.observe(0.005)
  m.latency.observe(0.5); m.latency.observe(0.5)
  await status.sample()
  m.link.inc(10); m.requests.inc({ outcome: 'full' })
  const report = await status.report()
  assert.equal(report.points.length, 2)
  const [first, second] = report.points
  assert.equal(first!.linkBytes, 100)
  assert.equal(first!.pageBytes, 1000, 'pages served = link bytes + bytes saved')
  assert.deepEqual(first!.outcomes, { delta: 3 })
  assert.equal(first!.cacheBytes, 5000)
  assert.ok(first!.p50! > 0 && first!.p50! <= 10, `p50 within the first bucket (${first!.p50} ms)`)
  assert.ok(first!.p99! > 100 && first!.p99! <= 1000, `p99 in the (0.1, 1] s bucket (${first!.p99} ms)`)
  assert.equal(second!.linkBytes, 10, 'the live interval counts only what happened since the last snapshot')
  assert.deepEqual(second!.outcomes, { delta: 0, full: 1 })
  assert.equal(second!.p50, null, 'nothing timed: no percentile')
  assert.deepEqual(report.totals, { linkBytes: 110, pageBytes: 1010 })
})

test('the ring buffer holds one window and the table ranks resources by bytes saved', async () => {
  const m = registry()
  const status = new StatusRecorder({ service: 'test', source: m.registry, series: SERIES, intervalMs: 1000, windowMs: 5000 })
  for (let i = 0; i < 20; i++) await status.sample()
  assert.equal((await status.report()).points.length, 6, 'window / interval + 1 snapshots, plus the live point, give 6 intervals')
  status.recordPage('a/x', 1000, 900)
  status.recordPage('a/y', 1000, 10)
  status.recordPage('a/y', 1000, 10)
  const top = (await status.report()).topResources
  assert.deepEqual(top.map(r => r.resource), ['a/y', 'a/x'])
  assert.equal(top[0]!.pages, 2)
})
