import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ResultsFile } from '../resultsFile.ts'
import { runKey } from '../resultsFile.ts'
import type { SenderThroughputRecord } from '../senderThroughputRecord.ts'

// The sender-throughput bench in --quick mode, in its own process as it is run by
// hand: origins, proxy and coilgun-sender start as children, serve the page, and
// the raw results make sense. No timing is asserted.

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function runBench (args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'senderThroughput.ts', '--quick', ...args], { cwd: benchDir, encoding: 'utf8', timeout: 90_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the sender-throughput bench runs in --quick mode and writes sane JSON', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-bench-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'sender-throughput.json')
  const r = runBench(['--out', out])
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stdout, /^\| @fastify\/http-proxy \(peer\) +\|/m, 'a table row for the peer')
  assert.match(r.stdout, /^\| coilgun-sender +\|/m, 'a table row for the sender')

  const results = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile<SenderThroughputRecord>
  const run = results.runs[runKey(process.versions.node)]
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
  const r = runBench(['--corpus', join(tmpdir(), 'coilgun-no-such-corpus')])
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stderr, /SYNTHETIC/)
  assert.match(r.stdout, /SYNTHETIC DATA/)
  assert.match(r.stdout, /^\| coilgun-sender +\|/m)
})
