#!/usr/bin/env node
import { runProxyApp } from '@coilgun/service'
import { VERSION } from './buildInfo.ts'
import { loadSenderConfig } from './config.ts'
import { buildSender } from './server.ts'

// `coilgun-sender` (`npx @coilgun/sender`): configuration from the environment only (README and
// `--help` list every variable); a bad value stops the process with one line and
// exit code 1. `--check` validates without starting.

await runProxyApp({
  app: 'sender',
  command: 'coilgun-sender',
  summary: 'Coilgun\'s edge proxy: keeps the last version of every page, asks the origin for deltas, verifies and serves.',
  version: VERSION,
  load: loadSenderConfig,
  build: config => buildSender(config),
  describe: config => ({ upstreams: config.upstreams, admin: config.adminListen })
})
