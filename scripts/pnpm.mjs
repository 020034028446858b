#!/usr/bin/env node
// Runs the workspace's pinned pnpm without assuming it is installed: a fresh clone
// has only Node and npm, so fetch pnpm through npx (cached after the first run).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const result = spawnSync(npx, ['--yes', packageManager, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, npm_config_update_notifier: 'false' }
})
if (result.error) {
  console.error(`coilgun: could not run ${packageManager} through npx: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
