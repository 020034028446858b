import { waitFor as poll } from '@coilgun/fixtures/waitFor'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'

/** The URL of a started Fastify admin instance (`/healthz`, `/readyz`, `/metrics`). */
export function adminUrl (admin: { server: { address (): unknown } } | undefined): string {
  if (admin === undefined) throw new Error('no admin listener')
  const a = admin.server.address() as AddressInfo
  return `http://127.0.0.1:${a.port}`
}

export async function getJson (url: string): Promise<{ status: number, body: Record<string, unknown> }> {
  const res = await request(url)
  return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
}

export async function getText (url: string): Promise<string> {
  const res = await request(url)
  return await res.body.text()
}

/** Polls `probe` until it returns true (a loaded machine may take a while: 30 s by default), or throws. */
export async function waitFor (what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  await poll(what, probe, ms)
}
