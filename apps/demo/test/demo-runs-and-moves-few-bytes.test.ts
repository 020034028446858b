import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// Issue 4: `npm start` runs the demo; here for a few seconds on free ports, with
// fast page changes: it must print the sender URL and report that the origin link
// carried a small fraction of the page bytes.

test('the demo serves changing pages through the sender with deltas', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_DEMO_CHANGE_MS: '300', COILGUN_DEMO_VISIT_MS: '100', COILGUN_DEMO_DURATION_MS: '5000' },
    encoding: 'utf8',
    timeout: 60_000
  })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /sender: {2}http:\/\/127\.0\.0\.1:\d+/)
  const last = /stopped after (\d+) visits: ([\d.]+) (KB|MB) served, ([\d.]+) (KB|MB) over the origin link/.exec(r.stdout)
  assert.ok(last, r.stdout)
  const toBytes = (n: string, unit: string): number => Number(n) * (unit === 'MB' ? 1024 * 1024 : 1024)
  const served = toBytes(last[2]!, last[3]!)
  const origin = toBytes(last[4]!, last[5]!)
  assert.ok(Number(last[1]) >= 10, 'visits happened')
  assert.ok(origin < served * 0.3, `origin link ${origin} bytes for ${served} bytes served`)
  assert.match(r.stdout, /Coilgun: delta/)
})
