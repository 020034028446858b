#!/usr/bin/env node
import { loadCodecs } from '@coilgun/core'
import { assertUsableCodecs, exitWhenIdle, handleCommandLine, runService } from '@coilgun/service'
import { VERSION } from './buildInfo.ts'
import { loadListenerConfig } from './config.ts'
import { buildListener } from './server.ts'

// `coilgun-listener` (`npx @coilgun/listener`): configuration from the environment only (README and
// `--help` list every variable); a bad value stops the process with one line and
// exit code 1. `--check` validates without starting.

const exitCode = await handleCommandLine(process.argv.slice(2), {
  app: 'listener',
  command: 'coilgun-listener',
  summary: 'Coilgun\'s origin side for any web server: answers senders with deltas computed from the origins\' responses.',
  version: VERSION,
  env: process.env,
  load: () => loadListenerConfig(process.env),
  verify: async function usableCodecs (config) { assertUsableCodecs('COILGUN_CODECS', (await loadCodecs(config.codecs)).values()) }
})
if (exitCode !== undefined) exitWhenIdle(exitCode)
else await runService('coilgun-listener', () => loadListenerConfig(process.env), async function startListener (config) {
  const listener = await buildListener(config)
  return { listen: () => listener.listen(), close: () => listener.close(), log: listener.app.log, reload: () => listener.reload(loadListenerConfig(process.env)), inFlight: () => listener.drain.inFlight }
}, config => ({ origins: Object.fromEntries(config.origins), tls: config.tls !== undefined, mutualTls: config.tlsClientCa !== undefined, admin: config.adminListen }))
