import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import express from 'express'
import { coilgun } from '@coilgun/express'
import type { CoilgunExpressOptions } from '@coilgun/express'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SECRET } from '../../../test/support/originConformance.ts'

// Issue 11: the middleware recognises private responses by their headers and by the
// operator's rule (`isPrivate`, `privatePaths`); with `privateDeltas: false` such a
// response is always answered in full, public ones still as deltas.

const page = versionedPages(2)[0]!

async function secondAnswer (path: string, options: Partial<CoilgunExpressOptions>): Promise<string> {
  let index = 0
  const app = express()
  const middleware = coilgun({ secret: SECRET, ...options })
  await middleware.ready()
  app.use(middleware)
  app.get('/me', function me (_req, res) { res.set('content-type', page.contentType).set('vary', 'Cookie').send(page.versions[index]) })
  app.get('/news', function news (_req, res) { res.set('content-type', page.contentType).send(page.versions[index]) })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>(resolve => server.once('listening', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
    const first = await rawGet(url, { 'coilgun-secret': SECRET, 'accept-encoding': 'identity' })
    assert.equal(first.status, 200)
    index = 1
    const second = await rawGet(url, { 'coilgun-secret': SECRET, 'accept-encoding': 'identity', 'a-im': 'vcdiff', 'if-none-match': String(first.headers.etag) })
    return String(second.headers['coilgun-origin'])
  } finally {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
    await middleware.close()
  }
}

test('privateDeltas: false answers private responses in full, by their headers or by the operator\'s rule', async () => {
  const off = { privateDeltas: false }
  assert.equal(await secondAnswer('/me', off), 'full', 'Vary: Cookie')
  assert.equal(await secondAnswer('/news', off), 'delta; codec=vcdiff')
  assert.equal(await secondAnswer('/news', { ...off, privatePaths: ['/news'] }), 'full')
  assert.equal(await secondAnswer('/news', { ...off, isPrivate: request => request.path === '/news' }), 'full')
  assert.match(await secondAnswer('/me', {}), /^delta/, 'by default the origin still sends the visitor\'s delta')
})
