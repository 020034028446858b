import { connect, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { request } from 'undici'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import { CORPUS_MISSING, corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { makePki } from '@coilgun/fixtures/pki'
import { BENCH_SECRET } from './benchSecret.ts'
import { upstreamBytesOf } from './wan/visitorFetch.ts'

// Issue 17, the header diet: what the sender -> listener link carries per changed page
// besides the delta body. A TCP relay between the two counts every byte of the
// connection (TLS records and HTTP/2 frames included); the delta body is the sender's
// `up=` figure. Median over a corpus set's versions after the first two exchanges, a
// curl-like visitor. `pnpm --filter @coilgun/bench link-headers [clear] [idle=S]`:
// HTTP/2 with TLS (default), or HTTP/1.1 in clear; with idle=S, after the replay the
// link stays silent S seconds and the next request reports whether it needed a new
// connection (a warm link needs none). Results are in docs/PROTOCOL.md.

const clear = process.argv.includes('clear')
const idleS = Number(process.argv.find(a => a.startsWith('idle='))?.slice(5) ?? 0)
const VERSIONS = 16

async function measure (name: string, versions: Buffer[], contentType: string): Promise<number | undefined> {
  let current = 0
  const origin = Fastify({ logger: false })
  origin.get('/page', async function page (_req, reply) { return reply.type(contentType).header('cache-control', 'no-cache').send(versions[current]) })
  const originUrl = await origin.listen({ port: 0, host: '127.0.0.1' })
  const pki = makePki()
  const common = { COILGUN_SECRET: BENCH_SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'warn' }
  const listener = await buildListener(loadListenerConfig({ ...common, COILGUN_ORIGIN: originUrl, ...(clear ? {} : { COILGUN_TLS_CERT: pki.serverCert, COILGUN_TLS_KEY: pki.serverKey }) }))
  const listenerUrl = new URL(await listener.listen())
  let bytes = 0
  // Connections that carried a request; the sender's health checks only connect.
  let connections = 0
  const relay = createServer(function relayConnection (visitorSide) {
    visitorSide.once('data', () => { connections++ })
    const listenerSide = connect(Number(listenerUrl.port), '127.0.0.1')
    visitorSide.on('data', d => { bytes += d.length; listenerSide.write(d) })
    listenerSide.on('data', d => { bytes += d.length; visitorSide.write(d) })
    visitorSide.on('close', () => listenerSide.destroy())
    listenerSide.on('close', () => visitorSide.destroy())
  })
  await new Promise<void>(resolve => relay.listen(0, '127.0.0.1', resolve))
  const relayPort = (relay.address() as AddressInfo).port
  const sender = await buildSender(loadSenderConfig({ ...common, COILGUN_UPSTREAM: `${listenerUrl.protocol}//127.0.0.1:${relayPort}`, COILGUN_UPSTREAM_CA: pki.ca, COILGUN_DIAGNOSTIC_HEADER: 'on' }))
  const url = await sender.listen()
  const overheads: number[] = []
  for (current = 0; current < versions.length; current++) {
    bytes = 0
    const r = await request(`${url}/page`, { headers: { 'user-agent': 'curl/8.5.0', accept: '*/*' } })
    await r.body.arrayBuffer()
    // Let the last frames (HTTP/2 WINDOW_UPDATE, TLS records) cross the relay.
    await new Promise(resolve => setTimeout(resolve, 30))
    const diagnostic = String(r.headers.coilgun)
    const body = upstreamBytesOf(diagnostic)
    if (current >= 2 && diagnostic.startsWith('delta')) overheads.push(bytes - body)
  }
  if (idleS > 0) {
    const before = connections
    bytes = 0
    await new Promise(resolve => setTimeout(resolve, idleS * 1000))
    // What crossed the link while no visitor asked: the sender's health probes (a TLS
    // handshake each, COILGUN_HEALTH_CHECK_INTERVAL_MS) and HTTP/2 PINGs.
    console.log(`${name}: during ${idleS} s of silence: ${connections - before} connection(s) with data, ${bytes} B on the link`)
    const probes = connections
    bytes = 0
    const r = await request(`${url}/page`, { headers: { 'user-agent': 'curl/8.5.0', accept: '*/*' } })
    await r.body.arrayBuffer()
    console.log(`${name}: after ${idleS} s of silence, the next request opened ${connections - probes} new connection(s) to the listener (${bytes} B on the link; a new TLS connection alone costs several KB)`)
  }
  await sender.close()
  await listener.close()
  await origin.close()
  relay.close()
  overheads.sort((a, b) => a - b)
  // The upper median: a byte count that was measured, not the mean of two.
  const median = overheads[Math.floor(overheads.length / 2)]
  console.log(`${name}: ${clear ? 'HTTP/1.1 clear' : 'HTTP/2 + TLS'}, median link bytes per changed page minus the delta body: ${median ?? 'no delta'} (${overheads.length} deltas, ${overheads[0] ?? '-'} to ${overheads.at(-1) ?? '-'})`)
  return median
}

if (!corpusAvailable()) {
  console.error(CORPUS_MISSING)
  process.exitCode = 1
} else {
  for (const set of idleS > 0 ? listCorpusSets().slice(0, 1) : listCorpusSets()) {
    await measure(set.name, readVersions(set, VERSIONS), set.files[0]!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8')
  }
}
