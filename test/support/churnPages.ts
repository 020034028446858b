import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import coilgun from '@coilgun/fastify'
import type { CoilgunFastifyOptions } from '@coilgun/fastify'
import { SECRET } from './originConformance.ts'

// Distinct small pages for the memory-bound tests (issue 12): every URL is its own
// resource, and every page a version of its own that shares most of its bytes with
// the others (so a sender naming another page's version as its base gets a delta).

/** A block of text all pages share: hex, so that it compresses like markup, not like zeros. */
const SHARED = (() => {
  let hex = ''
  for (let i = 0; hex.length < 1000; i++) hex += createHash('sha256').update(`shared ${i}`).digest('hex')
  return hex.slice(0, 1000)
})()

/** The page served at `url`: about 1.1 KB, above the sender's 1 KiB visitor-compression threshold. */
export function churnPage (url: string): Buffer {
  return Buffer.from(`<!doctype html><title>${url}</title><p>${SHARED}</p><p>${createHash('sha256').update(url).digest('hex')}</p>\n`)
}

/** An app serving {@link churnPage} at `/churn/*`, with the Coilgun plugin when `plugin` is given. */
export async function buildChurnApp (plugin: Partial<CoilgunFastifyOptions> | undefined): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  if (plugin !== undefined) await app.register(coilgun, { secret: SECRET, ...plugin })
  app.get('/churn/*', async function churn (request, reply) {
    reply.header('content-type', 'text/html; charset=utf-8')
    return reply.send(churnPage(request.url))
  })
  return app
}
