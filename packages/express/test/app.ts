import type { AddressInfo } from 'node:net'
import express from 'express'
import compression from 'compression'
import { coilgun } from '@coilgun/express'
import type { CoilgunMiddleware } from '@coilgun/express'
import { SECRET } from '../../../test/support/originConformance.ts'
import type { OriginFactory } from '../../../test/support/originConformance.ts'

/** The Express app of the conformance suite (routes described in originConformance.ts). */
export const startExpressOrigin: OriginFactory = async function startExpressOrigin (pages, state, options) {
  const app = express()
  if (options.compress) app.use(compression({ threshold: 1024 }))
  let middleware: CoilgunMiddleware | undefined
  if (options.plugin) {
    middleware = coilgun({
      secret: SECRET,
      eligible: req => !(req.url ?? '').startsWith('/optout/'),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.store === undefined ? {} : { store: options.store })
    })
    await middleware.ready()
    app.use(middleware)
  }
  const byName = new Map(pages.map(p => [p.name, p]))
  function current (name: string): { contentType: string, index: number, body: Buffer } | undefined {
    const page = byName.get(name)
    if (page === undefined) return undefined
    const index = state.current.get(name) ?? 0
    return { contentType: page.contentType, index, body: page.versions[index]! }
  }

  app.get('/page/:name', function page (req, res) {
    const found = current(req.params.name)
    if (found === undefined) { res.status(404).send('no such page'); return }
    res.set('content-type', found.contentType)
    res.set('cache-control', 'public, max-age=0, must-revalidate')
    res.set('vary', 'Accept-Language')
    res.set('etag', `"app-${found.index}"`)
    res.send(found.body)
  })
  // One visitor's page (issue 11): private by Cache-Control, Set-Cookie and Vary.
  app.get('/private/:name', function privatePage (req, res) {
    const found = current(req.params.name)
    if (found === undefined) { res.status(404).send('no such page'); return }
    res.set('content-type', found.contentType)
    res.set('cache-control', 'private, max-age=0, must-revalidate')
    res.append('set-cookie', ['session=abc123; HttpOnly', 'theme=dark'])
    res.set('vary', 'Cookie')
    res.set('etag', `"app-${found.index}"`)
    res.send(found.body)
  })
  app.get('/optout/:name', function optout (req, res) {
    const found = current(req.params.name)!
    res.set('content-type', found.contentType)
    res.send(found.body)
  })
  app.get('/stream/:name', function stream (req, res) {
    const found = current(req.params.name)!
    const repeat = Number(req.query.repeat ?? '1')
    res.set('content-type', found.contentType)
    for (let i = 0; i < repeat; i++) {
      for (let at = 0; at < found.body.length; at += 16384) res.write(found.body.subarray(at, at + 16384))
    }
    res.end()
  })
  app.get('/binary', function binary (_req, res) {
    res.set('content-type', 'image/png')
    res.send(Buffer.alloc(50_000, 7))
  })

  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>(resolve => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  let responder: Awaited<CoilgunMiddleware['responder']> | undefined
  if (middleware) responder = await middleware.responder
  return {
    url: `http://127.0.0.1:${port}`,
    responder: () => responder,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
      await middleware?.close()
    }
  }
}
