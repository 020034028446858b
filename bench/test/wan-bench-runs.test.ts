import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { test } from 'node:test'
import type { WanRecord } from '../wan/wanRecord.ts'
import { benchDir, readRun, runQuick, tempFile } from './benchChild.ts'

// The WAN bench (issue 7) in --quick mode, in its own process as it is run by hand:
// origins, relay and edges start as children, the link is checked, every phase
// runs, and the raw results and charts make sense. No timing is asserted.

test('the WAN bench runs in --quick mode and writes sane JSON and charts', { timeout: 240_000 }, (t) => {
  const out = tempFile(t, 'wan.json')
  const r = runQuick('wan.ts', ['--out', out], 230_000)
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stderr, /link check: bulk/, 'the link check is printed')
  assert.match(r.stdout, /^\| proxy, origin uncompressed \(baseline\) +\|/m, 'a row for the baseline')
  assert.match(r.stdout, /^\| Coilgun, vcdiff +\|/m, 'a row for Coilgun')

  const run = readRun<WanRecord>(out)
  assert.ok(run !== undefined, 'the run is stored under this Node major version')
  assert.equal(run.benchmark, 'wan')
  assert.equal(run.quick, true)
  assert.equal(run.linkCheck.accountingExact, true, 'the relay counts the check\'s bytes exactly')
  assert.ok(run.linkCheck.downMbitPerS > 0 && run.linkCheck.upMbitPerS > 0 && run.linkCheck.rttMedianMs > 0, 'the link check measured the link')

  const keys = run.contenders.map(c => c.key)
  assert.deepEqual(keys.slice(0, 4), ['baseline', 'gzip', 'brotli', 'vcdiff'])
  const dictionary = run.contenders.some(c => c.key === 'dictionary') || run.unavailable.some(u => u.key === 'dictionary')
  assert.ok(dictionary, 'dcz/dcb either ran or is reported unavailable')

  const byKey = new Map(run.contenders.map(c => [c.key, c]))
  const baseline = byKey.get('baseline')!
  const vcdiff = byKey.get('vcdiff')!
  for (const c of run.contenders) {
    assert.equal(c.replay.length, run.sets.length, `${c.key}: every set replayed`)
    assert.ok(c.replay.every(s => s.changes.length > 0 && s.changes.every(x => x.up > 0 && x.down > 0 && x.floorMs > run.link.rttMs && x.ms > 0)), `${c.key}: every change measured`)
    assert.equal(c.load.rounds.length, 1, `${c.key}: one round`)
    assert.ok(c.load.median.rps > 0 && c.load.median.failures === 0, `${c.key}: ${c.load.median.rps} req/s, no failures`)
    assert.ok(c.load.median.edgeCpuMsPerRequest > 0 && c.load.median.originCpuMsPerRequest > 0, `${c.key}: both processes measured`)
    assert.ok(c.capacity.steps.length > 0, `${c.key}: capacity steps ran`)
  }
  // What Coilgun is for: a changed page crosses the link as a delta.
  const bytesPerChange = (key: string): number => {
    const changes = byKey.get(key)!.replay.flatMap(s => s.changes)
    return changes.reduce((sum, x) => sum + x.up + x.down, 0) / changes.length
  }
  assert.ok(bytesPerChange('vcdiff') < bytesPerChange('brotli') / 5, 'Coilgun sends far fewer bytes per change than the brotli proxy')
  assert.ok(vcdiff.replay.flatMap(s => s.changes).every(x => x.kind.startsWith('delta')), 'every changed page is a delta')
  // Over HTTP/2 the headers that repeat on every request are compressed (HPACK).
  if (byKey.has('vcdiff-h2')) {
    assert.ok(byKey.get('vcdiff-h2')!.replay.flatMap(s => s.changes).every(x => x.kind.startsWith('delta')), 'HTTP/2: every changed page is a delta')
    assert.ok(bytesPerChange('vcdiff-h2') < bytesPerChange('vcdiff'), 'HTTP/2 to the origin moves fewer bytes per change than HTTP/1.1')
  } else {
    assert.ok(run.unavailable.some(u => u.key === 'vcdiff-h2'), 'the HTTP/2 contender either ran or is reported unavailable')
  }
  assert.ok(baseline.replay.flatMap(s => s.changes).every(x => x.kind === 'full identity'), 'the baseline sends whole pages')
  // The Railgun topology (issue 17): sender -> link -> coilgun-listener -> an origin
  // that knows nothing of Coilgun; every change still crosses the link as a delta.
  if (byKey.has('railgun')) {
    assert.ok(byKey.get('railgun')!.replay.flatMap(s => s.changes).every(x => x.kind.startsWith('delta')), 'sender -> listener: every changed page is a delta')
    assert.ok(bytesPerChange('railgun') < bytesPerChange('brotli') / 5, 'sender -> listener: far fewer bytes per change than the brotli proxy')
  } else {
    assert.ok(run.unavailable.some(u => u.key === 'railgun'), 'the sender -> listener contender either ran or is reported unavailable')
  }
  // The quiet spell (2 s with --quick): one more request each, answered and measured.
  assert.equal(run.settings.idleS, 2)
  for (const c of run.contenders) {
    assert.ok(c.idle !== undefined && c.idle.up > 0 && c.idle.down > 0 && c.idle.floorMs > run.link.rttMs, `${c.key}: the request after the quiet spell is measured`)
    if (c.family === 'coilgun') assert.ok(c.idle.kind.startsWith('delta'), `${c.key}: after the quiet spell the changed page is a delta (${c.idle.kind})`)
  }
  assert.match(r.stdout, /The first request after 2 s of silence/)

  assert.ok(run.charts !== undefined, 'charts are written beside the results')
  for (const file of Object.values(run.charts)) {
    const svg = readFileSync(resolve(benchDir, '..', file), 'utf8')
    assert.match(svg, /^<svg/, `${file} is an SVG`)
    assert.ok(existsSync(resolve(benchDir, '..', file)))
  }
})
