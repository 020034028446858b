import { deltaRequestHeaders, isCoilgunAnswer, rebuildFromAnswer, sha256 } from '@coilgun/core'
import type { Codec, CodecName } from '@coilgun/core'
import type { BenchPage } from '@coilgun/fixtures/benchPage'
import { BENCH_SECRET } from './benchSecret.ts'
import { rawGet } from './rawGet.ts'

// What the plugin-overhead benchmark (issue 3) loads: one Fastify app without the
// plugin as the peer, the same app with it on each of its paths, and a path where
// every request is a new version, with encoding on the main thread or in a worker.

/** The origin processes: the same app, without and with @coilgun/fastify. */
export const OVERHEAD_SERVERS = {
  plain: { label: 'app without the plugin', args: [] },
  plugin: { label: 'app with the plugin, encodeWorkers: 1 (the default on 2+ cores)', args: ['--plugin', '--encode-workers', '1'] },
  pluginInline: { label: 'app with the plugin, encodeWorkers: 0', args: ['--plugin', '--encode-workers', '0'] }
} as const

export type OverheadServer = keyof typeof OVERHEAD_SERVERS

/** Who asks: a visitor (no secret), a sender holding nothing, a sender holding version 0. */
export type RequestKind = 'visitor' | 'sender, no base' | 'sender holds version 0'

/** What the answer must be, checked once before the load: the bench measures what it claims. */
export type ExpectedAnswer = 'untouched' | 'full' | 'delta'

export interface OverheadContender {
  readonly key: string
  readonly name: string
  readonly server: OverheadServer
  readonly path: string
  readonly request: RequestKind
  readonly expect: ExpectedAnswer
  /** What one request costs the origin, for the table. */
  readonly work: string
}

/** The named peer of every req/s ratio. */
export const PEER = 'plain'
/** The peer of the new-version-every-request pair: encoding on the main thread. */
export const INLINE_PEER = 'fresh-inline'

export const OVERHEAD_CONTENDERS: readonly OverheadContender[] = [
  { key: PEER, name: 'plain app (peer)', server: 'plain', path: '/version/1', request: 'visitor', expect: 'untouched', work: 'sends the page' },
  { key: 'visitor', name: 'plugin, visitor', server: 'plugin', path: '/version/1', request: 'visitor', expect: 'untouched', work: 'hooks see no secret, page untouched' },
  { key: 'full', name: 'plugin, sender full body', server: 'plugin', path: '/version/1', request: 'sender, no base', expect: 'full', work: 'SHA-256, store, brotli 4 (cached per version)' },
  { key: 'delta', name: 'plugin, sender delta', server: 'plugin', path: '/version/1', request: 'sender holds version 0', expect: 'delta', work: 'SHA-256, store, delta 0 → 1 (memoized)' },
  { key: 'fresh-worker', name: 'new version each request, encodeWorkers 1', server: 'plugin', path: '/fresh', request: 'sender holds version 0', expect: 'delta', work: 'SHA-256, store, brotli 4, one delta per codec offered, in the worker' },
  { key: INLINE_PEER, name: 'new version each request, encodeWorkers 0', server: 'pluginInline', path: '/fresh', request: 'sender holds version 0', expect: 'delta', work: 'SHA-256, store, brotli 4, one delta per codec offered, on the main thread' }
]

/** The request headers of one contender; a sender's are built by @coilgun/core. */
export function requestHeaders (kind: RequestKind, codecs: readonly Codec[], page: BenchPage): Record<string, string> {
  if (kind === 'visitor') return {}
  const base = page.versions[0]!
  return deltaRequestHeaders(BENCH_SECRET, codecs, kind === 'sender, no base' ? undefined : { body: base, hash: sha256(base) })
}

/** One answer as the sender would see it. */
export interface AnswerCheck {
  readonly status: number
  readonly kind: ExpectedAnswer
  /** Delta codec (`vcdiff+gzip`, `dcb`...) or full-body coding (`br`). */
  readonly coding: string
  /** Body bytes of the answer. */
  readonly bytes: number
}

export class WrongAnswerError extends Error {
  readonly code = 'COILGUN_BENCH_WRONG_ANSWER'
}

/**
 * Asks once and checks that the answer is what the contender claims to measure,
 * rebuilding and verifying sender answers as coilgun-sender would.
 */
export async function checkAnswer (contender: OverheadContender, url: string, headers: Readonly<Record<string, string>>, page: BenchPage, codecs: ReadonlyMap<CodecName, Codec>): Promise<AnswerCheck> {
  const res = await rawGet(url, headers)
  const where = `${contender.name}: GET ${contender.path}`
  if (contender.expect === 'untouched') {
    if (res.status !== 200 || !res.body.equals(page.versions[1]!) || isCoilgunAnswer(res.headers)) {
      throw new WrongAnswerError(`${where} should send the page untouched, got ${res.status} with ${res.body.length} bytes`)
    }
    return { status: res.status, kind: 'untouched', coding: 'identity', bytes: res.body.length }
  }
  const base = page.versions[0]!
  const held = contender.request === 'sender holds version 0' ? { body: base, hash: sha256(base) } : undefined
  const rebuilt = rebuildFromAnswer({ status: res.status, headers: res.headers, body: res.body }, held, codecs, 64 * 1024 * 1024)
  if (rebuilt.kind !== contender.expect) throw new WrongAnswerError(`${where} should answer ${contender.expect}, got ${rebuilt.kind} (${res.status})`)
  const coding = rebuilt.codec === undefined ? String(res.headers['content-encoding'] ?? 'identity') : `${rebuilt.codec}${rebuilt.secondary === 'gzip' ? '+gzip' : ''}`
  return { status: res.status, kind: rebuilt.kind, coding, bytes: res.body.length }
}
