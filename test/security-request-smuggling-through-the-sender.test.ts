import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { test } from 'node:test'
import { startSender } from '../apps/sender/test/harness.ts'
import { rawExchange, recordingServer } from './support/rawHttp.ts'

// Issue 8: request smuggling through the sender. Each request below is framed
// ambiguously (Content-Length against Transfer-Encoding, two lengths, obfuscated
// codings, obs-fold, bad chunk sizes, bare CR/LF, no or two Host headers); most carry
// a second request, to /smuggled, that a lax backend could read. The origin behind the
// sender parses as laxly as it can (insecureHTTPParser). Refused requests get a 400
// and reach nobody; accepted ones reach the origin as exactly the request the sender
// understood, re-framed, and /smuggled never reaches it.

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'

/** Requests the sender must refuse with a 400 (RFC 9112 sections 2.2, 3.2, 5.2, 6.1, 6.3, 7.1). */
const REFUSED: ReadonlyArray<[string, string]> = [
  ['Content-Length and Transfer-Encoding', `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
  ['Transfer-Encoding then Content-Length', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['two different Content-Lengths', `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: ${5 + SMUGGLED.length}\r\n\r\nhello${SMUGGLED}`],
  ['two equal Content-Lengths', `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`],
  ['a Content-Length list', `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, ${5 + SMUGGLED.length}\r\n\r\nhello${SMUGGLED}`],
  ['a signed Content-Length', `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello${SMUGGLED}`],
  ['Transfer-Encoding: xchunked', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['space before the colon', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['chunked then identity', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['chunked not last', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['obs-fold in a header', `GET /x HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n${SMUGGLED}`],
  ['obs-fold in Transfer-Encoding', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`],
  ['a negative chunk size', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['an overflowing chunk size', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['a 0x chunk size', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['a chunk size with a trailing space', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['a bare LF in a chunk extension', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\nb\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['a chunk longer than its size', `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
  ['bare LF line endings', `GET /x HTTP/1.1\nHost: a\n\n${SMUGGLED}`],
  ['a bare CR in a header', `GET /x HTTP/1.1\r\nHost: a\rX: y\r\n\r\n${SMUGGLED}`],
  ['a NUL in a header value', `GET /x HTTP/1.1\r\nHost: a\r\nX-A: a\0b\r\n\r\n${SMUGGLED}`],
  ['no Host', 'GET /x HTTP/1.1\r\n\r\n'],
  ['two Host headers', 'GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ['a space in the request target', 'GET /x /smuggled HTTP/1.1\r\nHost: a\r\n\r\n']
]

/** Requests that are well formed (if odd): one request reaches the origin, re-framed. */
const ACCEPTED: ReadonlyArray<[string, string, { method: string, url: string, body: string }]> = [
  ['a tab before the coding', 'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n', { method: 'POST', url: '/x', body: 'hello' }],
  ['a GET whose body is a request', `GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: ${SMUGGLED.length}\r\nConnection: close\r\n\r\n${SMUGGLED}`, { method: 'GET', url: '/x', body: '' }],
  ['HTTP/1.0 with chunked', 'POST /x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', { method: 'POST', url: '/x', body: 'hello' }]
]

test('ambiguously framed requests are refused with a 400 and reach nobody', async (t) => {
  const origin = await recordingServer('origin', { lenient: true })
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); await origin.close() })
  for (const [name, bytes] of REFUSED) {
    const answer = await rawExchange(url, bytes)
    assert.deepEqual(answer.statuses, [400], `${name}: one 400, then the connection closes`)
    assert.deepEqual(origin.seen.map(r => `${r.method} ${r.url}`), [], `${name} reached the origin`)
  }
})

test('odd but well-formed requests reach the origin as exactly one re-framed request', async (t) => {
  const origin = await recordingServer('origin', { lenient: true })
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); await origin.close() })
  for (const [name, bytes, expected] of ACCEPTED) {
    origin.seen.length = 0
    const answer = await rawExchange(url, bytes)
    assert.deepEqual(answer.statuses, [200], name)
    assert.deepEqual(origin.seen.map(r => ({ method: r.method, url: r.url, body: r.body.toString() })), [expected], `${name}: the origin saw exactly the request the sender read`)
    assert.ok(origin.seen.every(r => r.headers['transfer-encoding'] === undefined || r.headers['content-length'] === undefined))
  }
  // Pipelined requests stay two requests, answered in order.
  origin.seen.length = 0
  const pipelined = await rawExchange(url, 'GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  assert.deepEqual(pipelined.statuses, [200, 200])
  assert.deepEqual(origin.seen.map(r => r.url).sort(), ['/one', '/two'])
})

test('an origin answer framed ambiguously never reaches the visitor: a 5xx, nothing of it passed on', async (t) => {
  // A raw origin: both framings at once, then a second response hidden in the body.
  const answers = [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 30\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\nsmuggled',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nsmuggled\r\n0\r\n\r\n'
  ]
  let next = 0
  const sockets = new Set<Socket>()
  const origin = createServer(socket => {
    sockets.add(socket)
    socket.once('data', () => { socket.end(answers[next++ % answers.length]!) })
    socket.on('error', () => {})
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { sender, url } = await startSender(`http://127.0.0.1:${(origin.address() as AddressInfo).port}`)
  t.after(async () => { await sender.close(); for (const s of sockets) s.destroy(); origin.close() })
  for (let i = 0; i < answers.length; i++) {
    const answer = await rawExchange(url, 'GET /page HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
    // 502; 500 when a streamed passthrough body breaks before its first byte (Fastify's own answer).
    assert.ok(answer.statuses[0] === 502 || answer.statuses[0] === 500, `answer ${i}: ${JSON.stringify(answer.text.slice(0, 60))}`)
    assert.equal(answer.statuses.length, 1)
    assert.ok(!answer.text.includes('smuggled'), `answer ${i} leaked the hidden response`)
  }
})
