#!/usr/bin/env node
// Runs the workspace's pinned pnpm without assuming it is installed: a fresh clone
// has only Node and npm, so npx fetches pnpm (cached after the first run) and tells
// us where it put it. pnpm then runs as this script's own child, without npx and its
// `sh -c` in between: a shell dies of SIGTERM without passing it on, which left
// `npm start`'s demo running and holding its port after `kill -TERM` (issue 15).
// SIGINT, SIGTERM and SIGHUP are forwarded to pnpm (which forwards them to the script
// it runs), and this script exits only when pnpm has, with its exit status.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import { delimiter, dirname } from 'node:path'
import { becomeChild } from './childProcess.mjs'

const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const env = { ...process.env, npm_config_update_notifier: 'false' }

/** The command that runs the pinned pnpm: its JS entry under this Node where npx can name it. */
function pnpmCommand () {
  if (process.platform === 'win32') return { command: 'npx.cmd', args: ['--yes', packageManager], shell: true }
  // npx's own warnings (e.g. about pnpm's npm_config_* settings when pnpm runs us) are
  // shown only if the lookup fails.
  const located = spawnSync('npx', ['--yes', `--package=${packageManager}`, '-c', 'command -v pnpm'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (located.error || located.status !== 0 || located.stdout.trim() === '') {
    console.error(`coilgun: could not fetch ${packageManager} through npx: ${located.error?.message ?? `exit ${located.status}`}\n${located.stderr ?? ''}`)
    process.exit(1)
  }
  const bin = located.stdout.trim()
  // As under npx, `pnpm` stays on the PATH of the scripts pnpm runs (the root `check` calls it).
  env.PATH = `${dirname(bin)}${delimiter}${env.PATH ?? ''}`
  return { command: process.execPath, args: [realpathSync(bin)], shell: false }
}

const { command, args, shell } = pnpmCommand()
const child = spawn(command, [...args, ...process.argv.slice(2)], { stdio: 'inherit', env, shell })

becomeChild(child, packageManager)
