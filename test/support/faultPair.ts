import type { TestContext } from 'node:test'
import { startSender } from '../../apps/sender/test/harness.ts'
import { startFastifyOrigin } from '../../packages/fastify/test/app.ts'
import type { AppState } from './originConformance.ts'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'
import { startTamperingProxy } from './tamperingProxy.ts'
import type { OriginReply, TamperingProxy } from './tamperingProxy.ts'
import { resourceKey, sha256 } from '@coilgun/core'

type Sender = Awaited<ReturnType<typeof startSender>>['sender']

/** A Fastify origin with the plugin, a tampering proxy in front of it, and a sender in front of that. */
export interface FaultPair {
  readonly state: AppState
  readonly proxy: TamperingProxy
  readonly sender: Sender
  readonly url: string
  /** The SHA-256 the sender holds for `path` (undefined: nothing held). */
  held (path: string): Buffer | undefined
}

export async function startFaultPair (t: TestContext, pages: VersionedPage[], env: Record<string, string> = {}): Promise<FaultPair> {
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  t.after(origin.close)
  const proxy = await startTamperingProxy(origin.url)
  t.after(() => proxy.close())
  const { sender, url } = await startSender(proxy.url, env)
  t.after(() => sender.close())
  const host = new URL(url).host
  return {
    state,
    proxy,
    sender,
    url,
    held (path: string) {
      const version = sender.cache.get(resourceKey(host, path))
      return version === undefined ? undefined : Buffer.from(version.hash)
    }
  }
}

/** The first word of the sender's diagnostic header: delta, full, fallback, passthrough. */
export function outcomeOf (res: { headers: Record<string, string | string[] | undefined> }): string {
  return String(res.headers.coilgun).split(';')[0]!
}

/** The `why=` of the diagnostic header (the coded error behind a fallback). */
export function whyOf (res: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  return /why=([A-Z_]+)/.exec(String(res.headers.coilgun))?.[1]
}

export function hashOf (body: Uint8Array): Buffer {
  return sha256(body)
}

/** A delta answer in any protocol form: RFC 3229 `226`, or RFC 9842 `dcz`/`dcb` (Node >= 22.19). */
export function isDelta (real: OriginReply): boolean {
  const coding = String(real.headers['content-encoding'] ?? '')
  return real.status === 226 || coding === 'dcz' || coding === 'dcb'
}
