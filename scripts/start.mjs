#!/usr/bin/env node
// `npm start`: installs and builds the workspace with the pinned pnpm, then runs the
// demo (apps/demo) as this script's own child. The demo does not run under pnpm: on
// Ctrl-C a terminal signals the whole process group, and every extra hop that
// forwards or re-raises signals (npm, sh, the pnpm wrapper, pnpm, pnpm's shell) is
// one more way for a clean stop to end as "died of SIGINT" (issue 15).
//
// While the demo runs, SIGINT, SIGTERM and SIGHUP are passed to it (the demo stops
// cleanly on any number of them), and this script exits with the demo's status.
import { spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { becomeChild } from './childProcess.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pnpm = join(root, 'scripts', 'pnpm.mjs')

for (const args of [['install', '--frozen-lockfile'], ['run', 'build']]) {
  const step = spawnSync(process.execPath, [pnpm, ...args], { cwd: root, stdio: 'inherit' })
  if (step.signal !== null) process.kill(process.pid, step.signal)
  if (step.status !== 0) process.exit(step.status ?? 1)
}

const demoDir = join(root, 'apps', 'demo')
const demo = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], { cwd: demoDir, stdio: 'inherit' })

becomeChild(demo, 'the demo')
