#!/usr/bin/env node
import { ConfigError, loadSenderConfig } from './config.ts'
import type { SenderConfig } from './config.ts'
import { buildSender } from './server.ts'

// `npx coilgun-sender`: configuration from the environment only (README lists every
// variable); a bad value stops the process with one line and exit code 1.

let config: SenderConfig
try {
  config = loadSenderConfig(process.env)
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`coilgun-sender: ${err.message}\n`)
    process.exit(1)
  }
  throw err
}

const sender = await buildSender(config)
const url = await sender.listen()
sender.app.log.info({ url, upstreams: config.upstreams, admin: config.adminListen }, 'coilgun-sender listening')

let stopping = false
async function shutdown (signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  sender.app.log.info({ signal }, 'coilgun-sender: stopping, finishing in-flight requests')
  // Stop accepting, let in-flight requests finish, then exit 0 (or exit anyway
  // after the grace period).
  const timer = setTimeout(function forceExit () {
    sender.app.log.warn('coilgun-sender: grace period over, exiting')
    process.exit(0)
  }, config.shutdownTimeoutMs)
  timer.unref()
  await sender.close()
  process.exit(0)
}
process.once('SIGTERM', () => { void shutdown('SIGTERM') })
process.once('SIGINT', () => { void shutdown('SIGINT') })
