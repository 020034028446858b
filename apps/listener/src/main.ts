#!/usr/bin/env node
import { runProxyApp } from '@coilgun/service'
import { VERSION } from './buildInfo.ts'
import { loadListenerConfig } from './config.ts'
import { buildListener } from './server.ts'

// `coilgun-listener` (`npx @coilgun/listener`): configuration from the environment only (README and
// `--help` list every variable); a bad value stops the process with one line and
// exit code 1. `--check` validates without starting.

await runProxyApp({
  app: 'listener',
  command: 'coilgun-listener',
  summary: 'Coilgun\'s origin side for any web server: answers senders with deltas computed from the origins\' responses.',
  version: VERSION,
  load: loadListenerConfig,
  build: config => buildListener(config),
  describe: config => ({ origins: Object.fromEntries(config.origins), tls: config.tls !== undefined, mutualTls: config.tlsClientCa !== undefined, admin: config.adminListen })
})
