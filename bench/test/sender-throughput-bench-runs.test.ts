import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SenderThroughputRecord } from '../senderThroughputRecord.ts'
import { assertSyntheticRun, NO_CORPUS, readRun, runQuick, tempFile } from './benchChild.ts'

// The sender-throughput bench in --quick mode, in its own process as it is run by
// hand: origins, proxy and coilgun-sender start as children, serve the page, and
// the raw results make sense. No timing is asserted.

test('the sender-throughput bench runs in --quick mode and writes sane JSON', { timeout: 120_000 }, (t) => {
  const out = tempFile(t, 'sender-throughput.json')
  const r = runQuick('senderThroughput.ts', ['--out', out], 90_000)
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stdout, /^\| @fastify\/http-proxy \(peer\) +\|/m, 'a table row for the peer')
  assert.match(r.stdout, /^\| coilgun-sender +\|/m, 'a table row for the sender')

  const run = readRun<SenderThroughputRecord>(out)
  assert.ok(run !== undefined, 'the run is stored under this Node major version')
  assert.equal(run.benchmark, 'sender-throughput')
  assert.equal(run.quick, true)
  const [proxy, sender] = run.contenders
  assert.equal(proxy?.key, 'proxy')
  assert.equal(sender?.key, 'sender')
  for (const c of [proxy, sender]) {
    assert.equal(c.rounds.length, 1, `${c.key}: one round`)
    assert.ok(c.median.rps > 0 && Number.isFinite(c.median.rps), `${c.key}: ${c.median.rps} req/s`)
    assert.equal(c.median.failures, 0, `${c.key}: no failed requests`)
    assert.ok(c.median.cpuMsPerRequest.edge! > 0 && c.median.cpuMsPerRequest.origin! > 0, `${c.key}: both processes measured`)
  }
  // The proxy moves the whole page from its origin every time; the sender's origin
  // sends deltas and 304s, which is the point of Coilgun.
  assert.ok(proxy.median.bytesOutPerRequest.origin! > run.page.versionBytes[1]! * 0.9, 'the proxy moves the whole page')
  assert.ok(sender.upstreamBytesVsPeer > 0 && sender.upstreamBytesVsPeer < 0.1, `the sender's origin sends a small fraction (${sender.upstreamBytesVsPeer})`)
  assert.ok((sender.median.counters.delta ?? 0) + (sender.median.counters.notModified ?? 0) > 0.5, 'most sender answers are deltas or 304s')
  assert.equal(sender.median.counters.fallback ?? 0, 0, 'no answer failed verification')
})

test('without a corpus the sender-throughput bench serves synthetic versions and says so', { timeout: 120_000 }, () => {
  assertSyntheticRun(runQuick('senderThroughput.ts', ['--corpus', NO_CORPUS], 90_000), /^\| coilgun-sender +\|/m)
})
