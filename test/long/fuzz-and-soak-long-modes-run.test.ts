import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// The long modes of issue 8 (`npm run fuzz`, `npm run soak`), run for a few seconds
// in their own processes as they are run by hand: they start, judge and report. No
// timing is asserted.

const longDir = dirname(fileURLToPath(import.meta.url))

function run (script: string, args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: longDir, encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('the long fuzz runs every target and reports cases per target', { timeout: 150_000 }, () => {
  const r = run('fuzzLong.ts', ['--minutes', '0.05', '--batch', '200'])
  assert.equal(r.status, 0, `fuzz failed:\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /fuzz: no failure after/)
  for (const target of ['rebuildFromAnswer', 'readVcdiffSummary', 'listener host routing', 'header parsers', 'decoders']) {
    assert.match(r.stdout, new RegExp(`^ {2}${target}.*: \\d+ cases`, 'm'), `no cases for ${target}`)
  }
})

test('a fixed seed replays one batch of the named target and stops', { timeout: 150_000 }, () => {
  const r = run('fuzzLong.ts', ['--seed', '42', '--only', 'readVcdiffSummary', '--batch', '300'])
  assert.equal(r.status, 0, `replay failed:\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /replayed without failure/)
  assert.match(r.stdout, /^ {2}readVcdiffSummary: 300 cases/m)
})

test('the soak starts sender and origin, checks every page and writes its samples', { timeout: 150_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-soak-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'soak.json')
  const r = run('soak.ts', ['--minutes', '0.15', '--sample-seconds', '3', '--warmup-minutes', '0.05', '--concurrency', '8', '--out', out])
  assert.equal(r.status, 0, `soak failed:\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /^\| wrong pages \| 0 \| 0 \| ok \|$/m)
  const results = JSON.parse(readFileSync(out, 'utf8')) as { totals: { requests: number, wrong: number }, samples: unknown[] }
  assert.equal(results.totals.wrong, 0)
  assert.ok(results.totals.requests > 0)
  assert.ok(results.samples.length >= 2)
})
