import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { assertNothingListens, demoEnv, repoRoot, startDemo } from './demoProcess.ts'
import type { RunningDemo } from './demoProcess.ts'

// Issue 15: `kill -TERM` of `npm start` left the demo orphaned and holding its port
// (scripts/pnpm.mjs neither forwarded signals nor waited), and Ctrl-C printed a pnpm
// failure. Each chain below must stop every process it started, exit 0 and print no
// error: `npm start` (npm, scripts/start.mjs, the demo) and the pnpm wrapper running
// the demo's own start script (the wrapper, pnpm, the demo).

async function assertStoppedCleanly (demo: RunningDemo): Promise<void> {
  const { code, signal } = await demo.exited
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, demo.stderr())
  assert.doesNotMatch(demo.stderr(), /err|fail|warn|signal/i)
  assert.match(demo.stdout(), /^stopped after \d+ visits/m, 'the demo itself ran its clean stop')
  await assertNothingListens(demo.sender)
  assert.ok(demo.metrics, 'the metrics URL was printed')
  await assertNothingListens(demo.metrics)
}

const pnpmWrapper = join(repoRoot, 'scripts', 'pnpm.mjs')

test('SIGTERM to the pnpm wrapper running the demo stops the demo, frees its ports and exits 0', async () => {
  const demo = await startDemo(process.execPath, [pnpmWrapper, '--filter', '@coilgun/demo', 'start'], { cwd: repoRoot, env: demoEnv() })
  demo.child.kill('SIGTERM')
  await assertStoppedCleanly(demo)
})

test('Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops the demo under the pnpm wrapper with exit 0 and no pnpm failure', async () => {
  const demo = await startDemo(process.execPath, [pnpmWrapper, '--filter', '@coilgun/demo', 'start'], { cwd: repoRoot, env: demoEnv(), detached: true })
  process.kill(-demo.child.pid!, 'SIGINT')
  await assertStoppedCleanly(demo)
})

test('SIGTERM to npm running `npm start` stops the whole chain (npm, the start script, the demo) with exit 0', async () => {
  const demo = await startDemo('npm', ['start', '--silent'], { cwd: repoRoot, env: demoEnv() })
  demo.child.kill('SIGTERM')
  await assertStoppedCleanly(demo)
})

test('Ctrl-C in the terminal running `npm start` (SIGINT to its process group) stops everything with exit 0 and no error', async () => {
  const demo = await startDemo('npm', ['start', '--silent'], { cwd: repoRoot, env: demoEnv(), detached: true })
  process.kill(-demo.child.pid!, 'SIGINT')
  await assertStoppedCleanly(demo)
})
