import { Readable } from 'node:stream'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import compress from '@fastify/compress'
import coilgun from '@coilgun/fastify'
import type { CoilgunFastifyOptions } from '@coilgun/fastify'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'

import { SECRET } from '../../../test/support/originConformance.ts'
import type { AppState, OriginFactory } from '../../../test/support/originConformance.ts'

export { SECRET }
export type { AppState }

/**
 * The application the tests put Coilgun into: page routes serving versions, an
 * opted-out route, a streaming route, a binary route and a POST.
 */
export async function buildApp (pages: VersionedPage[], state: AppState, opts: { plugin?: boolean, compress?: boolean, options?: Partial<CoilgunFastifyOptions> } = {}): Promise<FastifyInstance> {
  const app = Fastify()
  if (opts.plugin !== false) await app.register(coilgun, { secret: SECRET, ...opts.options })
  if (opts.compress === true) await app.register(compress, { threshold: 1024 })
  const byName = new Map(pages.map(p => [p.name, p]))

  function currentOf (name: string): { page: VersionedPage, index: number, body: Buffer } | undefined {
    const page = byName.get(name)
    if (page === undefined) return undefined
    const index = state.current.get(name) ?? 0
    return { page, index, body: page.versions[index]! }
  }

  app.get<{ Params: { name: string } }>('/page/:name', async function page (request, reply) {
    const found = currentOf(request.params.name)
    if (found === undefined) return reply.code(404).send('no such page')
    reply.header('content-type', found.page.contentType)
    reply.header('cache-control', 'public, max-age=0, must-revalidate')
    reply.header('vary', 'Accept-Language')
    reply.header('etag', `"app-${found.index}"`)
    return reply.send(found.body)
  })

  // One visitor's page (issue 11): private by Cache-Control, Set-Cookie and Vary.
  app.get<{ Params: { name: string } }>('/private/:name', async function privatePage (request, reply) {
    const found = currentOf(request.params.name)
    if (found === undefined) return reply.code(404).send('no such page')
    reply.header('content-type', found.page.contentType)
    reply.header('cache-control', 'private, max-age=0, must-revalidate')
    reply.header('set-cookie', ['session=abc123; HttpOnly', 'theme=dark'])
    reply.header('vary', 'Cookie')
    reply.header('etag', `"app-${found.index}"`)
    return reply.send(found.body)
  })

  app.get<{ Params: { name: string } }>('/optout/:name', { config: { coilgun: false } }, async function optout (request, reply) {
    const found = currentOf(request.params.name)!
    reply.header('content-type', found.page.contentType)
    return reply.send(found.body)
  })

  app.get<{ Params: { name: string }, Querystring: { repeat?: string } }>('/stream/:name', async function stream (request, reply) {
    const found = currentOf(request.params.name)!
    const repeat = Number(request.query.repeat ?? '1')
    reply.header('content-type', found.page.contentType)
    return reply.send(Readable.from((function * chunks () {
      for (let i = 0; i < repeat; i++) {
        for (let at = 0; at < found.body.length; at += 16384) yield found.body.subarray(at, at + 16384)
      }
    })()))
  })

  app.get('/binary', async function binary (_request, reply) {
    reply.header('content-type', 'image/png')
    return reply.send(Buffer.alloc(50_000, 7))
  })

  app.post('/echo', async function echo (request) {
    return { got: request.body }
  })
  return app
}

/** Starts the Fastify app on a real socket for the shared origin conformance suite. */
export const startFastifyOrigin: OriginFactory = async function startFastifyOrigin (pages, state, options) {
  const app = await buildApp(pages, state, {
    plugin: options.plugin,
    compress: options.compress,
    options: {
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.store === undefined ? {} : { store: options.store })
    }
  })
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' })
  return { url, close: () => app.close(), responder: () => options.plugin ? app.coilgun.responder : undefined }
}
