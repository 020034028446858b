import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PluginOverheadRecord } from '../pluginOverheadRecord.ts'
import { readRun, runQuick, tempFile } from './benchChild.ts'

// The plugin-overhead bench in --quick mode, in its own process as it is run by
// hand: it must start its app processes, check every contender's answer, load
// each one, stop its children and leave raw results that make sense. No timing
// is asserted: the machine running the tests decides those.

test('the plugin-overhead bench runs in --quick mode and writes sane JSON', { timeout: 150_000 }, (t) => {
  const out = tempFile(t, 'plugin-overhead.json')
  const r = runQuick('pluginOverhead.ts', ['--out', out], 120_000)
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stdout, /^\| plain app \(peer\) +\|/m, 'a table row for the peer')
  assert.match(r.stdout, /^\| plugin, sender delta +\|/m, 'a table row for the delta path')

  const run = readRun<PluginOverheadRecord>(out)
  assert.ok(run !== undefined, 'the run is stored under this Node major version')
  assert.equal(run.benchmark, 'plugin-overhead')
  assert.equal(run.quick, true)
  assert.equal(run.settings.rounds, 1)
  assert.ok(run.page.versionBytes.length >= 2 && run.page.versionBytes.every(n => n > 100_000), 'two page versions of about 200 KB')

  const byKey = new Map(run.contenders.map(c => [c.key, c]))
  assert.deepEqual([...byKey.keys()], ['plain', 'visitor', 'full', 'delta', 'fresh-worker', 'fresh-inline'])
  for (const c of run.contenders) {
    assert.equal(c.rounds.length, 1, `${c.key}: one round`)
    assert.ok(c.median.rps > 0 && Number.isFinite(c.median.rps), `${c.key}: ${c.median.rps} req/s`)
    assert.equal(c.median.failures, 0, `${c.key}: no failed requests`)
    assert.ok(c.median.cpuMsPerRequest.origin! > 0, `${c.key}: the app's CPU was measured`)
    assert.ok(c.median.loopP99Ms.origin! >= 0, `${c.key}: the app's event loop was measured`)
  }
  assert.equal(byKey.get('plain')!.rpsVsPeer, 1)

  // Each contender measured the path it names (checked before the load by rebuilding the answer).
  assert.equal(byKey.get('visitor')!.answer.kind, 'untouched')
  assert.equal(byKey.get('full')!.answer.kind, 'full')
  for (const key of ['delta', 'fresh-worker', 'fresh-inline']) {
    const c = byKey.get(key)!
    assert.equal(c.answer.kind, 'delta', `${key} answers with a delta`)
    assert.ok(c.answer.bytes < run.page.versionBytes[1]! / 10, `${key}: the delta is far smaller than the page`)
  }
  // The memoized delta is encoded once (before the load); a new version is encoded every time.
  assert.ok((byKey.get('delta')!.median.counters.encodes ?? 0) < 0.05, 'the delta path is memoized')
  for (const key of ['fresh-worker', 'fresh-inline']) assert.ok(byKey.get(key)!.median.counters.encodes! > 0.5, `${key} encodes for every request`)
  assert.ok(byKey.get('fresh-worker')!.median.counters.offloaded! > 0.5, 'encodeWorkers 1 encodes in the worker')
  assert.equal(byKey.get('fresh-inline')!.median.counters.offloaded, 0, 'encodeWorkers 0 encodes on the main thread')
})
