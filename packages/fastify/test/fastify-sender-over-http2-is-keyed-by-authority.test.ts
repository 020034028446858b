import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { test } from 'node:test'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { SECRET } from './app.ts'

// Issue 11 regression (found by the WAN bench): on HTTP/2 the Host is `:authority`
// (RFC 9113 section 8.3.1) and `Host` is absent; the plugin must key a sender's
// request by it rather than refuse the request as having no valid Host.

test('a sender\'s HTTP/2 request is answered by Coilgun, keyed by :authority', async (t) => {
  const app = Fastify({ http2: true })
  await app.register(coilgun, { secret: SECRET })
  app.get('/page', async function page (_request, reply) { return reply.type('text/html').send('<p>a page over HTTP/2</p>'.repeat(50)) })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  const session = connect(url)
  t.after(() => session.close())
  const answer = await new Promise<{ status: number, digest: unknown, origin: unknown }>((resolve, reject) => {
    const stream = session.request({ ':path': '/page', ':authority': 'www.example.test', 'coilgun-secret': SECRET, 'accept-encoding': 'identity' })
    stream.on('response', headers => {
      stream.resume()
      stream.on('end', () => resolve({ status: Number(headers[':status']), digest: headers['repr-digest'], origin: headers['coilgun-origin'] }))
    })
    stream.on('error', reject)
    stream.end()
  })
  assert.equal(answer.status, 200)
  assert.match(String(answer.digest), /^sha-256=:/)
  assert.equal(answer.origin, 'full')
})
