import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import coilgun from '@coilgun/fastify'
import { BENCH_SECRET } from '../benchSecret.ts'
import { loadBenchPage } from '@coilgun/fixtures/benchPage'
import { serveBenchControl } from '../serverControl.ts'

// An origin for the load benchmarks: a Fastify app serving the bench page, with or
// without @coilgun/fastify. Started by the bench as a child process; never run by hand.
//   /version/:i  version i of the page (0: the base senders hold, 1: the page served)
//   /fresh       version 1 with a request counter appended: every request is a
//                version nobody has seen, so nothing is memoized or cached
//   /cycle       the versions in turn, request by request: the page changes as
//                often as it is asked for, so a sender gets a delta whenever the
//                version served is not the one it fetched last

const { values } = parseArgs({
  options: {
    plugin: { type: 'boolean', default: false },
    'encode-workers': { type: 'string' },
    versions: { type: 'string', default: '2' },
    corpus: { type: 'string' }
  }
})

const page = await loadBenchPage(values.corpus, Number(values.versions))
// Codecs compile WebAssembly at registration: on a busy 2-core machine that can
// exceed Fastify's 10 s default, which would fail the run for nothing.
const app = Fastify({ logger: false, pluginTimeout: 60_000 })
if (values.plugin) {
  const workers = values['encode-workers']
  // The encoder queue bound (encodeQueueMax, 8 by default: a saturated lane answers in
  // full) is raised above the bench's 16 connections, so that the new-version
  // contenders measure encoding in the worker against encoding inline, every request;
  // the bound itself is tested in packages/core (origin-encoding-has-a-budget).
  await app.register(coilgun, { secret: BENCH_SECRET, encodeQueueMax: 256, ...(workers === undefined ? {} : { encodeWorkers: Number(workers) }) })
}

let served = 0

function sendPage (reply: FastifyReply, body: Buffer): FastifyReply {
  reply.header('content-type', page.contentType)
  return reply.send(body)
}

app.get<{ Params: { i: string } }>('/version/:i', async function version (request: FastifyRequest<{ Params: { i: string } }>, reply) {
  const body = page.versions[Number(request.params.i)]
  if (body === undefined) return reply.code(404).send('no such version')
  return sendPage(reply, body)
})

app.get('/fresh', async function fresh (_request, reply) {
  return sendPage(reply, Buffer.concat([page.versions[1]!, Buffer.from(` ${++served}`)]))
})

app.get('/cycle', async function cycle (_request, reply) {
  return sendPage(reply, page.versions[served++ % page.versions.length]!)
})

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
serveBenchControl(app.server, typeof address === 'object' && address !== null ? address.port : 0, async function originCounters (): Promise<Record<string, number>> {
  if (!values.plugin) return {}
  const s = app.coilgun.responder.stats()
  return { encodes: s.encodes, memoHits: s.memoHits, offloaded: s.offloaded }
})
