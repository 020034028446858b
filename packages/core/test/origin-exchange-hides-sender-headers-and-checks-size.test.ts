import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { IncomingHttpHeaders } from 'node:http'
import { headerText, OriginResponder, resolveOriginOptions, SECRET_HEADER, senderRequestArrived } from '@coilgun/core'

// Issue 14: the one origin pipeline the Fastify plugin, the Express middleware and
// the listener share. The app never sees the secret or the sender's If-None-Match;
// the answer step still does; the size check is the pipeline's, not the adapter's.

const SECRET = 'exchange-secret-0123456789'

async function withResponder (run: (responder: OriginResponder) => Promise<void>): Promise<void> {
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, encodeWorkers: 0, minBodyBytes: 10 }))
  try { await run(responder) } finally { await responder.close() }
}

function senderHeaders (extra: IncomingHttpHeaders = {}): IncomingHttpHeaders {
  return { host: 'example.test', [SECRET_HEADER]: SECRET, 'if-none-match': '"cg-tag"', ...extra }
}

test('a sender GET: the app loses the secret and If-None-Match, the answer step keeps If-None-Match and the key', async () => {
  await withResponder(async responder => {
    const headers = senderHeaders()
    const arrival = senderRequestArrived(responder, { method: 'GET', headers, url: '/a?b=1', scope: 'http://origin' })
    assert.equal(arrival.kind, 'sender')
    assert.equal(headers[SECRET_HEADER], undefined)
    assert.equal(headers['if-none-match'], undefined)
    if (arrival.kind !== 'sender') return
    assert.equal(arrival.exchange.request.headers['if-none-match'], '"cg-tag"')
    assert.equal(arrival.exchange.request.headers[SECRET_HEADER], undefined)
    assert.match(arrival.exchange.request.resourceKey, /^http:\/\/origin\|.*example\.test.*\/a\?b=1/)
  })
})

test('a wrong secret, a POST or an opted-out request reaches the app with If-None-Match; the secret never does', async () => {
  await withResponder(async responder => {
    for (const [method, headers, answerable] of [
      ['GET', senderHeaders({ [SECRET_HEADER]: 'wrong-secret-0123456789' }), undefined],
      ['POST', senderHeaders(), undefined],
      ['GET', senderHeaders(), () => false]
    ] as const) {
      const arrival = senderRequestArrived(responder, { method, headers, url: '/', answerable })
      assert.equal(arrival.kind, 'app')
      assert.equal(headers[SECRET_HEADER], undefined)
      assert.equal(headers['if-none-match'], '"cg-tag"')
    }
    const visitor: IncomingHttpHeaders = { host: 'example.test', 'if-none-match': '"app"' }
    assert.equal(senderRequestArrived(responder, { method: 'GET', headers: visitor, url: '/' }).kind, 'app')
    assert.equal(visitor['if-none-match'], '"app"')
  })
})

test('a sender GET with an invalid Host is refused; HTTP/2 :authority names the resource', async () => {
  await withResponder(async responder => {
    assert.equal(senderRequestArrived(responder, { method: 'GET', headers: senderHeaders({ host: 'bad host' }), url: '/' }).kind, 'bad-host')
    const h2 = senderHeaders({ ':authority': 'h2.example.test' })
    delete h2.host
    const arrival = senderRequestArrived(responder, { method: 'GET', headers: h2, url: '/' })
    assert.equal(arrival.kind, 'sender')
    if (arrival.kind === 'sender') assert.match(arrival.exchange.request.resourceKey, /h2\.example\.test/)
  })
})

test('the app answered: an ineligible head or a body below the minimum is left alone, an eligible one is answered', async () => {
  await withResponder(async responder => {
    const arrival = senderRequestArrived(responder, { method: 'GET', headers: senderHeaders(), url: '/' })
    assert.equal(arrival.kind, 'sender')
    if (arrival.kind !== 'sender') return
    const { exchange } = arrival
    assert.equal(exchange.responseHead(404, { 'content-type': 'text/html' }), undefined)
    assert.equal(exchange.responseHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }), undefined)
    assert.equal(exchange.responseHead(200, { 'content-type': 'text/html', 'content-length': 5 }), undefined)
    const head = exchange.responseHead(200, { 'content-type': 'text/html', vary: ['Cookie', 'Origin'] })
    assert.ok(head !== undefined)
    assert.equal(head.vary, 'Cookie, Origin')
    assert.equal(await exchange.answered(head, Buffer.from('tiny')), undefined)
    const answer = await exchange.answered(head, Buffer.from('<html>a page long enough</html>'))
    assert.equal(answer?.kind, 'full')
    assert.match(answer?.headers.etag ?? '', /cg/)
  })
})

test('headerText joins repeated field lines and writes numbers as text', () => {
  assert.equal(headerText(undefined), undefined)
  assert.equal(headerText(['a', 'b']), 'a, b')
  assert.equal(headerText(42), '42')
  assert.equal(headerText('x'), 'x')
})
