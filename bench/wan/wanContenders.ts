import { spawnSync } from 'node:child_process'
import type { Server } from 'node:net'
import { loadCodecs } from '@coilgun/core'
import { makePki } from '@coilgun/fixtures/pki'
import type { TestPki } from '@coilgun/fixtures/pki'
import { senderEnv, startServers, UPSTREAM_CONNECTIONS } from '../serverProcess.ts'
import type { ServerProcess } from '../serverProcess.ts'
import { startCheckServer } from './linkCheck.ts'
import { LinkProcess } from './linkProcess.ts'
import type { WanOptions } from './wanOptions.ts'

// What a team could put between its edge and its origin (issue 7), each as an edge
// process in front of its own origin process, the edge reaching the origin through
// the emulated link. Every contender serves the same corpus to the same visitors.

export type ContenderFamily = 'baseline' | 'compressing' | 'coilgun'

export interface WanContenderSpec {
  readonly key: string
  /** Row label of the tables. */
  readonly name: string
  readonly family: ContenderFamily
  readonly edge: string
  readonly origin: string
  readonly originArgs: readonly string[]
  /** COILGUN_CODECS of the sender; undefined: the edge is @fastify/http-proxy. */
  readonly senderCodecs: string | undefined
  /** The sender reaches its origin over TLS, offering HTTP/2 (COILGUN_UPSTREAM_HTTP2). */
  readonly http2?: boolean
  /** COILGUN_UPSTREAM_HTTP2 when `http2` is set: `on` unless said otherwise. */
  readonly upstreamHttp2?: 'on' | 'auto'
}

/** The named peer of every ratio: a plain proxy to an origin that does not compress. */
export const BASELINE = 'baseline'

export const WAN_CONTENDERS: readonly WanContenderSpec[] = Object.freeze([
  { key: BASELINE, name: 'proxy, origin uncompressed (baseline)', family: 'baseline', edge: '@fastify/http-proxy', origin: 'Fastify app, no compression', originArgs: ['--mode', 'plain'], senderCodecs: undefined },
  { key: 'gzip', name: 'proxy, origin gzip', family: 'compressing', edge: '@fastify/http-proxy', origin: 'Fastify app + @fastify/compress, gzip (its default level)', originArgs: ['--mode', 'compress', '--encoding', 'gzip'], senderCodecs: undefined },
  { key: 'brotli', name: 'proxy, origin brotli', family: 'compressing', edge: '@fastify/http-proxy', origin: 'Fastify app + @fastify/compress, brotli (its default quality 4)', originArgs: ['--mode', 'compress', '--encoding', 'br'], senderCodecs: undefined },
  { key: 'vcdiff', name: 'Coilgun, vcdiff', family: 'coilgun', edge: 'coilgun-sender, COILGUN_CODECS=vcdiff', origin: 'Fastify app + @coilgun/fastify (codecs: [\'vcdiff\']) + @fastify/compress', originArgs: ['--mode', 'coilgun', '--codecs', 'vcdiff'], senderCodecs: 'vcdiff' },
  { key: 'dictionary', name: 'Coilgun, dcz/dcb', family: 'coilgun', edge: 'coilgun-sender, COILGUN_CODECS=dcz,dcb', origin: 'Fastify app + @coilgun/fastify (codecs: [\'dcz\', \'dcb\']) + @fastify/compress', originArgs: ['--mode', 'coilgun', '--codecs', 'dcz,dcb'], senderCodecs: 'dcz,dcb' },
  // One multiplexed connection instead of one request per connection per round trip,
  // and HPACK for the headers that repeat on every request: the Railgun design.
  { key: 'vcdiff-h2', name: 'Coilgun, vcdiff, HTTP/2', family: 'coilgun', edge: 'coilgun-sender, COILGUN_CODECS=vcdiff, COILGUN_UPSTREAM_HTTP2=on (TLS, verified against a bench CA)', origin: 'Fastify app on HTTP/2 over TLS + @coilgun/fastify (codecs: [\'vcdiff\']) + @fastify/compress', originArgs: ['--mode', 'coilgun', '--codecs', 'vcdiff'], senderCodecs: 'vcdiff', http2: true },
  // Issue 17: the Railgun topology. The origin is untouched; coilgun-listener sits in
  // front of it at the origin's end of the link and serves the sender over HTTP/2.
  { key: 'railgun', name: 'Coilgun, sender → listener, HTTP/2', family: 'coilgun', edge: 'coilgun-sender, COILGUN_CODECS=vcdiff, HTTP/2 by ALPN (the default, auto; TLS, verified against a bench CA)', origin: 'coilgun-listener (TLS, HTTP/2, COILGUN_CODECS=vcdiff) → Fastify app, no compression, on loopback', originArgs: ['--mode', 'listener', '--codecs', 'vcdiff'], senderCodecs: 'vcdiff', http2: true, upstreamHttp2: 'auto' }
])

/** Why this Node cannot run `spec` (dcz and dcb need Node >= 22.19), or undefined. */
export async function unavailableReason (spec: WanContenderSpec): Promise<string | undefined> {
  if (spec.http2 === true && spawnSync('openssl', ['version']).status !== 0) return 'unavailable: openssl (to make the bench certificates) is not installed'
  if (spec.senderCodecs === undefined) return undefined
  const codecs = await loadCodecs(spec.senderCodecs.split(','))
  const missing = [...codecs.values()].filter(c => !c.available)
  if (missing.length === 0) return undefined
  return `unavailable on Node ${process.versions.node.split('.')[0]}: ${missing.map(c => `${c.name}: ${c.unavailableReason ?? 'unavailable'}`).join('; ')}`
}

export interface RunningContender {
  readonly spec: WanContenderSpec
  readonly origin: ServerProcess
  readonly edge: ServerProcess
  /** The relay route between this edge and its origin. */
  readonly route: number
}

export interface WanTestbed {
  readonly contenders: readonly RunningContender[]
  readonly link: LinkProcess
  /** The relay route to the link-check server. */
  readonly checkRoute: number
  close (): Promise<void>
}

function edgeSpec (spec: WanContenderSpec, upstream: string, pki: TestPki | undefined): { name: string, script: string, args?: string[], env?: Record<string, string> } {
  if (spec.senderCodecs === undefined) {
    return { name: `${spec.key} edge`, script: 'servers/proxy.ts', args: ['--upstream', upstream, '--connections', String(UPSTREAM_CONNECTIONS)] }
  }
  return {
    name: `${spec.key} edge`,
    script: 'servers/sender.ts',
    env: senderEnv(spec.http2 === true ? upstream.replace(/^http:/, 'https:') : upstream, {
      ...(spec.http2 === true && pki !== undefined ? { COILGUN_UPSTREAM_HTTP2: spec.upstreamHttp2 ?? 'on', COILGUN_UPSTREAM_CA: pki.ca } : {}),
      COILGUN_CODECS: spec.senderCodecs
    })
  }
}

/** Starts every origin, the relay (one route per origin, one to the check server), then every edge. */
export async function startTestbed (specs: readonly WanContenderSpec[], options: WanOptions): Promise<WanTestbed> {
  const corpusArgs = options.corpus === undefined ? [] : ['--corpus', options.corpus]
  const versionArgs = options.replayVersions === undefined ? [] : ['--versions', String(options.replayVersions)]
  const cleanup: Array<{ close (): Promise<void> }> = []
  async function closeAll (): Promise<void> {
    await Promise.all(cleanup.splice(0).map(c => c.close()))
  }
  try {
    // A CA and a certificate for 127.0.0.1, made with openssl for this run only.
    const pki = specs.some(s => s.http2 === true) ? makePki() : undefined
    const origins = await startServers(specs.map(s => ({
      name: `${s.key} origin`,
      script: 'wan/origin.ts',
      args: [...s.originArgs, ...corpusArgs, ...versionArgs, '--every', String(options.schedule.every), ...(s.http2 === true && pki !== undefined ? ['--cert', pki.serverCert, '--key', pki.serverKey] : [])]
    })))
    cleanup.push(...origins)
    const check = await startCheckServer()
    cleanup.push({ close: () => closeServer(check.server) })
    const targets = [{ host: '127.0.0.1', port: check.port }, ...origins.map(o => ({ host: '127.0.0.1', port: Number(new URL(o.url).port) }))]
    const link = await LinkProcess.start(options.link, targets)
    cleanup.push(link)
    const edges = await startServers(specs.map((s, i) => edgeSpec(s, link.urls[i + 1]!, pki)))
    cleanup.push(...edges)
    return {
      contenders: specs.map((spec, i) => ({ spec, origin: origins[i]!, edge: edges[i]!, route: i + 1 })),
      link,
      checkRoute: 0,
      close: closeAll
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}

function closeServer (server: Server): Promise<void> {
  return new Promise(resolve => server.close(() => resolve()))
}
