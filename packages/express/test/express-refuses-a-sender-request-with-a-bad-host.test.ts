import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import express from 'express'
import { coilgun } from '@coilgun/express'
import { rawExchange } from '../../../test/support/rawHttp.ts'
import { SECRET } from '../../../test/support/originConformance.ts'

// Issue 11: the middleware keys a sender's request by core's resourceKey, so a Host
// that is not RFC 9110 section 7.2 syntax (`h/foo` would share the key of `h` +
// `/foo/...`) is a 400 the application never sees. A visitor's request is the
// application's business and is left alone.

const BAD_HOSTS = ['h/foo', 'www.example.test evil', '', `${'a'.repeat(63)}.`.repeat(4) + 'example', 'evil@www.example.test', 'www.example.test:8o', '[::1']

function get (target: string, host: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`
}

test('a sender\'s request with a bad Host is a 400 the app never sees; visitors keep the app\'s own answer', async (t) => {
  const calls: string[] = []
  const app = express()
  const middleware = coilgun({ secret: SECRET })
  await middleware.ready()
  app.use(middleware)
  app.get('/*splat', function page (req, res) {
    calls.push(req.url)
    res.type('html').send('<p>page</p>'.repeat(100))
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>(resolve => server.once('listening', resolve))
  t.after(async () => {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
    await middleware.close()
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sender = `Coilgun-Secret: ${SECRET}\r\nA-IM: vcdiff\r\n`
  for (const host of BAD_HOSTS) {
    const answer = await rawExchange(url, get('/bar', host, sender))
    assert.deepEqual(answer.statuses, [400], `${JSON.stringify(host)}: ${answer.text.slice(0, 80)}`)
    assert.match(answer.text, /invalid Host/)
    assert.match(answer.text, /cache-control: no-store/i)
  }
  assert.equal(calls.length, 0, 'the application never ran')
  assert.deepEqual((await rawExchange(url, get('/bar', 'h/foo'))).statuses, [200])
  assert.deepEqual((await rawExchange(url, get('/foo/bar', 'h', sender))).statuses, [200])
  assert.deepEqual(calls, ['/bar', '/foo/bar'])
})
