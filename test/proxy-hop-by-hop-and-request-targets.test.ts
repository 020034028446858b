import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawExchange } from './support/rawHttp.ts'
import { parseFirstResponse, startTopologies } from './support/proxyTopology.ts'

// Issue 13: hop-by-hop fields (RFC 9110 section 7.6.1), including those a visitor
// names in `Connection`, stop at the sender and at the listener, but `Host` never
// does: `Connection: host` used to make the sender's GET carry the upstream's own
// address as Host (behind a listener: the default origin). Request-targets that are
// not origin-form get a clean 400, `OPTIONS *` is answered for the server as a whole
// (it used to reach the origin as `OPTIONS /*`), and `GET *` is no longer a 502.

const HOP_BY_HOP_REQUEST = (method: string, path: string, body: string): string =>
  `${method} ${path} HTTP/1.1\r\nHost: a.example\r\nConnection: host, X-Drop-Me, close\r\nX-Drop-Me: 1\r\nX-Keep-Me: 2\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nProxy-Connection: keep-alive\r\nCookie: a_session=1\r\nContent-Length: ${body.length}\r\n\r\n${body}`

test('hop-by-hop and Connection-listed fields are removed, Host never is (GET delta path and POST passthrough)', async (t) => {
  for (const topo of await startTopologies(t)) {
    for (const [method, path, body] of [['GET', '/page', ''], ['POST', '/form', 'a=1']] as const) {
      const answer = parseFirstResponse((await rawExchange(topo.url, HOP_BY_HOP_REQUEST(method, path, body))).text)
      assert.equal(answer.status, 200, `${topo.name} ${method}`)
      assert.equal(answer.body, `origin a ${method} ${path}`, `${topo.name} ${method}: answered by the origin of the visitor's Host`)
      const saw = topo.a.seen.filter(r => r.url === path)
      assert.ok(saw.length >= 1, `${topo.name} ${method}`)
      for (const r of saw) {
        assert.equal(r.headers.host, 'a.example', `${topo.name} ${method}: Host kept despite Connection: host`)
        assert.equal(r.headers['x-keep-me'], '2')
        assert.equal(r.headers.cookie, 'a_session=1')
        for (const gone of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'expect']) {
          assert.equal(r.headers[gone], undefined, `${topo.name} ${method}: ${gone} reached the origin`)
        }
        assert.ok(!/x-drop-me/i.test(String(r.headers.connection ?? '')), 'the visitor\'s Connection options are not passed on')
      }
      if (method === 'POST') assert.equal(saw[0]!.body.toString(), body)
    }
    assert.deepEqual(topo.d.seen, [], `${topo.name}: the default origin saw nothing`)
  }
})

test('OPTIONS * is answered for the server as a whole; GET * and absolute-form naming another host are a 400 with no-store', async (t) => {
  for (const topo of await startTopologies(t)) {
    const options = parseFirstResponse((await rawExchange(topo.url, 'OPTIONS * HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).text)
    assert.equal(options.status, 200, topo.name)
    assert.match(options.headers.allow ?? '', /GET, HEAD, POST/)
    assert.equal(options.headers['content-length'], '0')

    for (const bad of ['GET * HTTP/1.1', 'POST * HTTP/1.1', 'GET http://b.example/x HTTP/1.1', 'GET http://a.example@b.example/x HTTP/1.1', 'GET https://127.0.0.1/x HTTP/1.1']) {
      const answer = parseFirstResponse((await rawExchange(topo.url, `${bad}\r\nHost: a.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)).text)
      assert.equal(answer.status, 400, `${topo.name}: ${bad}`)
      assert.equal(answer.headers['cache-control'], 'no-store', `${topo.name}: ${bad}`)
      assert.ok(answer.body.length > 0 && answer.body.length < 200, `${topo.name}: a short body`)
    }
    // RFC 9112 section 3.2.2: absolute-form naming the request's own host is accepted, as origin-form.
    const same = parseFirstResponse((await rawExchange(topo.url, 'GET http://a.example/same?q=1 HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).text)
    assert.equal(same.status, 200, topo.name)
    assert.equal(same.body, 'origin a GET /same?q=1')

    assert.deepEqual(topo.a.seen.map(r => `${r.method} ${r.url}`).filter(s => s !== 'GET /same?q=1'), [], `${topo.name}: nothing else reached origin A`)
    assert.deepEqual(topo.d.seen, [], `${topo.name}: nothing reached the default origin`)
  }
})
