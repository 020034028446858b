#!/usr/bin/env node
import { loadCodecs } from '@coilgun/core'
import { assertUsableCodecs, exitWhenIdle, handleCommandLine, runService } from '@coilgun/service'
import { VERSION } from './buildInfo.ts'
import { loadSenderConfig } from './config.ts'
import { buildSender } from './server.ts'

// `coilgun-sender` (`npx @coilgun/sender`): configuration from the environment only (README and
// `--help` list every variable); a bad value stops the process with one line and
// exit code 1. `--check` validates without starting.

const exitCode = await handleCommandLine(process.argv.slice(2), {
  app: 'sender',
  command: 'coilgun-sender',
  summary: 'Coilgun\'s edge proxy: keeps the last version of every page, asks the origin for deltas, verifies and serves.',
  version: VERSION,
  env: process.env,
  load: () => loadSenderConfig(process.env),
  verify: async function usableCodecs (config) { assertUsableCodecs('COILGUN_CODECS', (await loadCodecs(config.codecs)).values()) }
})
if (exitCode !== undefined) exitWhenIdle(exitCode)
else await runService('coilgun-sender', () => loadSenderConfig(process.env), async function startSender (config) {
  const sender = await buildSender(config)
  return { listen: () => sender.listen(), close: () => sender.close(), log: sender.app.log, reload: () => sender.reload(loadSenderConfig(process.env)), inFlight: () => sender.drain.inFlight }
}, config => ({ upstreams: config.upstreams, admin: config.adminListen }))
