import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import coilgun from '@coilgun/fastify'
import type { VersionStore } from '@coilgun/core'
import { startRoundRobin } from '@coilgun/fixtures/roundRobinProxy'
import { SenderClient } from '../test/support/senderClient.ts'
import { BENCH_SECRET } from './benchSecret.ts'

// One replay of the Redis hit-rate bench (issue 6): a corpus set's versions served
// in order by one or more Fastify instances with @coilgun/fastify (two behind an
// HTTP round-robin), each version fetched once by one sender that holds the
// previous one. Counts what crossed the origin link; nothing here is timed.

export interface ReplaySet {
  readonly name: string
  readonly contentType: string
  readonly versions: readonly Buffer[]
}

export interface ReplayResult {
  /** Requests made (one per version). */
  readonly requests: number
  /** Requests that named a base: every one but the first. */
  readonly withBase: number
  readonly deltas: number
  /** Response body bytes from the origin(s) to the sender. */
  readonly upstreamBytes: number
  /** Bytes of the versions served (what a plain proxy would carry before compression). */
  readonly pageBytes: number
}

export class WrongPageError extends Error {
  readonly code = 'COILGUN_BENCH_WRONG_PAGE'
}

async function startInstance (set: ReplaySet, current: { index: number }, store: VersionStore): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, pluginTimeout: 60_000 })
  await app.register(coilgun, { secret: BENCH_SECRET, store })
  app.get('/page', async function page (_request, reply) {
    reply.header('content-type', set.contentType)
    return reply.send(set.versions[current.index]!)
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return app
}

function urlOf (app: FastifyInstance): string {
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

/** Serves every version of `set` once through instances using `stores` (one each), verifying every page. */
export async function replaySet (set: ReplaySet, stores: readonly VersionStore[]): Promise<ReplayResult> {
  const current = { index: 0 }
  const apps = await Promise.all(stores.map(store => startInstance(set, current, store)))
  const balancer = apps.length > 1 ? await startRoundRobin(apps.map(urlOf)) : undefined
  try {
    const sender = await SenderClient.create(balancer?.url ?? urlOf(apps[0]!), BENCH_SECRET)
    let deltas = 0
    let upstreamBytes = 0
    let pageBytes = 0
    for (let i = 0; i < set.versions.length; i++) {
      current.index = i
      const res = await sender.get('/page')
      if (!Buffer.from(res.rebuilt.body).equals(set.versions[i]!)) throw new WrongPageError(`${set.name}: version ${i + 1} rebuilt wrong`)
      if (res.rebuilt.kind === 'delta') deltas++
      upstreamBytes += res.wireBytes
      pageBytes += set.versions[i]!.length
    }
    return { requests: set.versions.length, withBase: set.versions.length - 1, deltas, upstreamBytes, pageBytes }
  } finally {
    await balancer?.close()
    await Promise.all(apps.map(app => app.close()))
  }
}
