#!/usr/bin/env node
import { runService } from '@coilgun/core'
import { loadListenerConfig } from './config.ts'
import { buildListener } from './server.ts'

// `npx coilgun-listener`: configuration from the environment only (README lists
// every variable); a bad value stops the process with one line and exit code 1.

await runService('coilgun-listener', () => loadListenerConfig(process.env), async function startListener (config) {
  const listener = await buildListener(config)
  return { listen: () => listener.listen(), close: () => listener.close(), log: listener.app.log, inFlight: () => listener.drain.inFlight }
}, config => ({ origins: Object.fromEntries(config.origins), tls: config.tls !== undefined, mutualTls: config.tlsClientCa !== undefined, admin: config.adminListen }))
