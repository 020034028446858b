import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import compress from '@fastify/compress'
import coilgun from '@coilgun/fastify'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import type { CodecName } from '@coilgun/core'
import { BENCH_SECRET } from '../benchSecret.ts'
import { serveBenchControl } from '../serverControl.ts'
import { loadWorkload } from '../workload.ts'
import { contentTypeOf } from './contentType.ts'
import { VersionSchedule } from './versionSchedule.ts'

// The origin of the WAN benchmark (issue 7): a Fastify app that replays the corpus,
// one resource per set (`/<set>`), each advancing on the schedule the bench sets.
// Started by the bench as a child process, one per contender:
//   --mode plain             no compression (the baseline's origin)
//   --mode compress --encoding br|gzip    @fastify/compress with its defaults
//   --mode coilgun --codecs vcdiff|dcz,dcb    @coilgun/fastify, then @fastify/compress
//   --mode listener --codecs vcdiff|dcz,dcb    the Railgun topology's origin side:
//                            coilgun-listener (TLS, HTTP/2; needs --cert and --key) in
//                            front of this app, which does not compress
//   --cert FILE --key FILE   HTTP/2 over TLS (HTTP/1.1 too, for the bench's control)
// The bench sets the schedule directly, never through the link:
//   POST /__wan/schedule?every=N[&everyMs=T]   start over from the first versions

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'plain' },
    encoding: { type: 'string', default: 'br' },
    codecs: { type: 'string', default: 'vcdiff' },
    corpus: { type: 'string' },
    versions: { type: 'string' },
    every: { type: 'string', default: '10' },
    cert: { type: 'string' },
    key: { type: 'string' }
  }
})

const versionLimit = values.versions === undefined ? Infinity : Number(values.versions)
const workload = await loadWorkload(values.corpus, versionLimit - 1)
const sets = workload.sets
const setIndex = new Map(sets.map((s, i) => [s.name, i]))
const types = sets.map(s => contentTypeOf(s.name))
const schedule = new VersionSchedule(sets.map(s => s.versions.length), { every: Number(values.every), everyMs: undefined }, performance.now())

// Codecs compile WebAssembly at registration: on a busy 2-core machine that can
// exceed Fastify's 10 s default.
const listenerMode = values.mode === 'listener'
const tls = values.cert === undefined || values.key === undefined || listenerMode ? undefined : { allowHTTP1: true, cert: readFileSync(values.cert), key: readFileSync(values.key) }
const app = tls === undefined
  ? Fastify({ logger: false, pluginTimeout: 60_000 })
  : Fastify({ logger: false, pluginTimeout: 60_000, http2: true, https: tls }) as unknown as FastifyInstance
if (values.mode === 'coilgun') {
  // Before @fastify/compress, as the plugin's README says: it needs the identity body.
  await app.register(coilgun, { secret: BENCH_SECRET, codecs: values.codecs.split(',') as CodecName[] })
}
if (values.mode === 'coilgun' || values.mode === 'compress') {
  await app.register(compress, values.mode === 'compress' ? { encodings: [values.encoding as 'br' | 'gzip'] } : {})
}

app.get<{ Params: { set: string } }>('/:set', async function corpusResource (request: FastifyRequest<{ Params: { set: string } }>, reply: FastifyReply) {
  const set = setIndex.get(request.params.set)
  if (set === undefined) return reply.code(404).send('no such resource')
  const body = sets[set]!.versions[schedule.next(set, performance.now())]!
  reply.header('content-type', types[set]!)
  return reply.send(body)
})

app.post<{ Querystring: { every?: string, everyMs?: string } }>('/__wan/schedule', { config: { coilgun: false } }, async function setSchedule (request) {
  const every = Number(request.query.every ?? schedule.plan.every)
  const everyMs = request.query.everyMs === undefined ? undefined : Number(request.query.everyMs)
  schedule.reset({ every, everyMs }, performance.now())
  return { every, everyMs: everyMs ?? null }
})

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const appPort = typeof address === 'object' && address !== null ? address.port : 0
if (listenerMode) {
  // coilgun-listener configured as in production, from the variables an operator sets;
  // the link reaches it, and it reaches this app on loopback.
  if (values.cert === undefined || values.key === undefined) throw new Error('--mode listener needs --cert and --key')
  const listener = await buildListener(loadListenerConfig({
    COILGUN_ORIGIN: `http://127.0.0.1:${appPort}`,
    COILGUN_SECRET: BENCH_SECRET,
    COILGUN_LISTEN: '127.0.0.1:0',
    COILGUN_ADMIN_LISTEN: 'off',
    COILGUN_TLS_CERT: values.cert,
    COILGUN_TLS_KEY: values.key,
    COILGUN_CODECS: values.codecs,
    COILGUN_LOG_LEVEL: 'silent'
  }), { logger: false })
  const url = new URL(await listener.listen())
  serveBenchControl(listener.app.server, Number(url.port), async function listenerCounters (): Promise<Record<string, number>> {
    const s = listener.responder.stats()
    return { encodes: s.encodes, memoHits: s.memoHits, offloaded: s.offloaded }
  }, 'https')
} else {
  serveBenchControl(app.server, appPort, async function originCounters (): Promise<Record<string, number>> {
    if (values.mode !== 'coilgun') return {}
    const s = app.coilgun.responder.stats()
    return { encodes: s.encodes, memoHits: s.memoHits, offloaded: s.offloaded }
  }, tls === undefined ? 'http' : 'https')
}
