import { buildSender, loadSenderConfig } from '@coilgun/sender'
import type { Sender, SenderDeps } from '@coilgun/sender'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import { SECRET } from '../../../test/support/originConformance.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'

export { SECRET }

/** A sender on a free loopback port in front of `upstream`, configured through env as in production. */
export async function startSender (upstream: string, env: Record<string, string> = {}, deps: SenderDeps = {}): Promise<{ sender: Sender, url: string }> {
  const config = loadSenderConfig({
    COILGUN_UPSTREAM: upstream,
    COILGUN_SECRET: SECRET,
    COILGUN_LISTEN: '127.0.0.1:0',
    COILGUN_ADMIN_LISTEN: 'off',
    COILGUN_LOG_LEVEL: 'silent',
    // Tests read the outcome from the diagnostic header, which is off by default
    // since issue 11 (apps/sender/test/sender-diagnostic-header-is-off-by-default.test.ts).
    COILGUN_DIAGNOSTIC_HEADER: 'on',
    ...env
  })
  const sender = await buildSender(config, { logger: false, ...deps })
  const url = await sender.listen()
  return { sender, url }
}

/** Fastify origin with the plugin, and a sender in front of it. */
export async function startPair (pages: VersionedPage[], state: AppState, env: Record<string, string> = {}): Promise<{ origin: Awaited<ReturnType<typeof startFastifyOrigin>>, sender: Sender, url: string, close: () => Promise<void> }> {
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  const { sender, url } = await startSender(origin.url, env)
  return { origin, sender, url, close: async () => { await sender.close(); await origin.close() } }
}
