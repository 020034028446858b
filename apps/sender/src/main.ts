#!/usr/bin/env node
import { runService } from '@coilgun/core'
import { loadSenderConfig } from './config.ts'
import { buildSender } from './server.ts'

// `npx coilgun-sender`: configuration from the environment only (README lists every
// variable); a bad value stops the process with one line and exit code 1.

await runService('coilgun-sender', () => loadSenderConfig(process.env), async function startSender (config) {
  const sender = await buildSender(config)
  return { listen: () => sender.listen(), close: () => sender.close(), log: sender.app.log, inFlight: () => sender.drain.inFlight }
}, config => ({ upstreams: config.upstreams, admin: config.adminListen }))
