import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { demoDir, demoEnv } from './demoProcess.ts'

// Issue 4: `npm start` runs the demo; here for a few seconds on free ports, with fast
// page changes. Issue 15: every printed line is the outcome of its own visit (the old
// timers locked in phase and printed "not-modified" 28 times out of 29 while /metrics
// counted deltas), and the savings are measured against the pages brotli- and
// gzip-compressed, not against the raw page. A fixed number of visits, not a duration:
// a busy machine makes visits slower, not fewer.

test('every line is one visit\'s outcome, deltas show as versions change, and the link carries a fraction of the compressed pages', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
    cwd: demoDir,
    env: demoEnv({ COILGUN_ADMIN_LISTEN: 'off', COILGUN_DEMO_VISITS: '8', COILGUN_CORPUS: join(tmpdir(), 'no-corpus-here') }),
    encoding: 'utf8',
    timeout: 120_000
  })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, /sender: {2}http:\/\/127\.0\.0\.1:\d+/)
  assert.doesNotMatch(r.stdout, /metrics:/, 'no metrics URL when the admin listener is off')

  const visits = [...r.stdout.matchAll(/^visit +(\d+) {2}(\S+)/gm)].map(m => ({ n: Number(m[1]), outcome: m[2]! }))
  assert.equal(visits.length, 8, r.stdout)
  assert.deepEqual(visits.map(v => v.n), visits.map((_, i) => i + 1), 'one line per visit, in order')
  for (const v of visits) assert.match(v.outcome, /^(full|delta|not-modified)$/, `visit ${v.n}`)
  assert.equal(visits[0]!.outcome, 'full')
  const deltas = visits.filter(v => v.outcome === 'delta').length
  assert.ok(deltas >= 2, `deltas printed as the page changed: ${deltas} of ${visits.length} lines`)

  const summary = /^stopped after (\d+) visits: .* of pages served; origin link .*: ([\d.]+)% of brotli .*, ([\d.]+)% of gzip /m.exec(r.stdout)
  assert.ok(summary, r.stdout)
  assert.equal(Number(summary[1]), visits.length)
  assert.ok(Number(summary[2]) < 50, `origin link ${summary[2]}% of the pages brotli-compressed`)
  assert.ok(Number(summary[3]) < Number(summary[2]), 'gzip is larger than brotli, so the share of it is smaller')
})
