import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import Fastify from 'fastify'
import coilgunFastify from '@coilgun/fastify'
import { MAX_HOST_LENGTH, parseHost, resourceKey } from '@coilgun/core'
import { startListener } from '../apps/listener/test/harness.ts'
import { SECRET, startSender } from '../apps/sender/test/harness.ts'
import { rawExchange, recordingServer } from './support/rawHttp.ts'

// Issue 11: the cache key was Host and target glued together, so `Host: h/foo` with
// `GET /bar` shared the key of `Host: h` with `GET /foo/bar`, and a visitor could
// plant a version under another page's key. Now the sender, the plugin, the
// middleware and the listener share core's key function, and a Host that is not
// RFC 9110 section 7.2 syntax is a 400 that reaches nobody. (The Express middleware's
// case is in packages/express/test/express-refuses-a-sender-request-with-a-bad-host.test.ts.)

const LONG = `${'a'.repeat(63)}.`.repeat(4) + 'example'
const BAD_HOSTS: Array<[string, string]> = [
  ['a path in Host (key confusion)', 'h/foo'],
  ['a space', 'www.example.test evil'],
  ['empty', ''],
  ['over-long', LONG],
  ['userinfo', 'evil@www.example.test'],
  ['a backslash', 'www.example.test\\x'],
  ['a bad port', 'www.example.test:8o'],
  ['an unclosed IPv6 literal', '[::1']
]

function get (target: string, host: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`
}

test('core: one key per (host, target), and the Host syntax is checked', () => {
  assert.ok(LONG.length > MAX_HOST_LENGTH)
  assert.equal(parseHost('h/foo'), undefined, 'a Host with a path has no key')
  // The separator cannot occur in a host: even unvalidated, the two keys differ (the
  // old key, host + path, made 'h/foo' + '/bar' and 'h' + '/foo/bar' one key).
  assert.notEqual(resourceKey('h', '/foo/bar'), resourceKey('h/foo', '/bar'))
  for (const [name, host] of BAD_HOSTS) assert.equal(parseHost(host), undefined, name)
  for (const bad of [undefined, ['a', 'b'], ':80', 'h:99999', '[zz]', '[::1]x', 'a\u0000b', 'ü.example']) assert.equal(parseHost(bad as never), undefined, JSON.stringify(bad))
  assert.equal(parseHost('WWW.Example.TEST:8080'), 'www.example.test:8080')
  assert.equal(parseHost('h:'), 'h', 'an empty port is no port (RFC 3986 section 3.2.3)')
  assert.equal(parseHost('[::1]:8080'), '[::1]:8080')
  assert.equal(parseHost('[v1.fe80::a+en1]'), '[v1.fe80::a+en1]')
  assert.equal(parseHost('192.0.2.7'), '192.0.2.7')
  assert.equal(parseHost('xn--bcher-kva.example'), 'xn--bcher-kva.example')
  assert.equal(parseHost(`${'a'.repeat(63)}.example`), `${'a'.repeat(63)}.example`)
})

test('sender: a bad Host is a 400 and nothing reaches the origin; the honest request goes through', async (t) => {
  const origin = await recordingServer('origin')
  t.after(origin.close)
  const { sender, url } = await startSender(origin.url)
  t.after(() => sender.close())
  for (const [name, host] of BAD_HOSTS) {
    for (const request of [get('/bar', host), `POST /bar HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`]) {
      const answer = await rawExchange(url, request)
      assert.deepEqual(answer.statuses, [400], `${name}: ${answer.text.slice(0, 80)}`)
      // Coilgun's own refusal, not the HTTP parser's: Node accepts each of these.
      assert.match(answer.text, /invalid Host/)
      assert.match(answer.text, /cache-control: no-store/i)
    }
  }
  assert.equal(origin.seen.length, 0, 'nothing was forwarded')
  const honest = await rawExchange(url, get('/foo/bar', 'h'))
  assert.deepEqual(honest.statuses, [200])
  assert.equal(origin.seen.length, 1)
  assert.equal(origin.seen[0]!.url, '/foo/bar')
})

test('listener: a bad Host is a 400 and nothing reaches the origin', async (t) => {
  const origin = await recordingServer('origin')
  t.after(origin.close)
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin.url })
  t.after(() => listener.close())
  for (const [name, host] of BAD_HOSTS) {
    for (const extra of ['', `Coilgun-Secret: ${SECRET}\r\nA-IM: vcdiff\r\n`]) {
      const answer = await rawExchange(url, get('/bar', host, extra))
      assert.deepEqual(answer.statuses, [400], `${name}: ${answer.text.slice(0, 80)}`)
      assert.match(answer.text, /invalid Host/)
    }
  }
  assert.equal(origin.seen.length, 0)
  assert.deepEqual((await rawExchange(url, get('/foo/bar', 'h'))).statuses, [200])
  assert.equal(origin.seen.length, 1)
})

async function listenFastify (t: TestContext, calls: string[]): Promise<string> {
  const app = Fastify()
  await app.register(coilgunFastify, { secret: SECRET })
  app.get('/*', async function page (request, reply) {
    calls.push(request.url)
    return reply.type('text/html').send('<p>page</p>'.repeat(100))
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  return url
}

for (const [adapter, listen] of [['fastify', listenFastify]] as const) {
  test(`${adapter}: a sender's request with a bad Host is a 400 the app never sees; visitors keep the app's own answer`, async (t) => {
    const calls: string[] = []
    const url = await listen(t, calls)
    for (const [name, host] of BAD_HOSTS) {
      const answer = await rawExchange(url, get('/bar', host, `Coilgun-Secret: ${SECRET}\r\nA-IM: vcdiff\r\n`))
      assert.deepEqual(answer.statuses, [400], `${name}: ${answer.text.slice(0, 80)}`)
      assert.match(answer.text, /invalid Host/)
    }
    assert.deepEqual(calls, [], 'the application never ran')
    // A visitor without the secret is none of Coilgun's business: the app answers.
    assert.deepEqual((await rawExchange(url, get('/bar', 'h/foo'))).statuses, [200])
    assert.deepEqual((await rawExchange(url, get('/foo/bar', 'h', `Coilgun-Secret: ${SECRET}\r\nA-IM: vcdiff\r\n`))).statuses, [200])
    assert.deepEqual(calls, ['/bar', '/foo/bar'])
  })
}
