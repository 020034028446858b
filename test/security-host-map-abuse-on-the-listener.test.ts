import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { SECRET } from './support/originConformance.ts'
import { rawExchange, recordingServer } from './support/rawHttp.ts'

// Issue 8: using the listener (and the sender in front of it) as an open proxy.
// Request targets and Host values name a server outside the host map in every way a
// URL parser might be talked into: absolute-form, userinfo (`@`), scheme-relative
// `//host`, backslashes, fragments, IPv6 and IPv4 literals, CONNECT. Nothing reaches
// the outside server; each request is answered by a mapped origin (for its own name),
// 421, or 400 (issue 13: an absolute-form target naming another host is a 400).

async function setup (t: TestContext): Promise<{ url: string, outsideHost: string, outsidePort: string, www: Awaited<ReturnType<typeof recordingServer>>, outside: Awaited<ReturnType<typeof recordingServer>> }> {
  const www = await recordingServer('www')
  const outside = await recordingServer('outside', { lenient: true })
  const { listener, url } = await startListener({ COILGUN_ORIGINS: `www.example.test=${www.url}` })
  t.after(async () => { await listener.close(); await www.close(); await outside.close() })
  return { url, www, outside, outsideHost: new URL(outside.url).host, outsidePort: new URL(outside.url).port }
}

test('request targets naming another server are answered by the mapped origin, by path only', async (t) => {
  const { url, www, outside, outsideHost, outsidePort } = await setup(t)
  const targets: Array<[string, string, number[]]> = [
    // Issue 13: absolute-form naming another host than Host is a 400 (the
    // authority would win over Host, RFC 9112 section 3.2.2); the same host is served.
    ['GET', `http://${outsideHost}/absolute`, [400]],
    ['GET', `http://www.example.test@${outsideHost}/userinfo`, [400]],
    ['GET', `http://www.example.test/same-host`, [200]],
    ['GET', `//${outsideHost}/scheme-relative`, [200]],
    ['GET', `http://[::1]:${outsidePort}/ipv6`, [400]],
    ['GET', `http://127.0.0.1:${outsidePort}/ipv4`, [400]],
    ['GET', `https://${outsideHost}/other-scheme`, [400]],
    ['GET', `http:\\\\${outsideHost}\\backslash`, [400]],
    ['GET', `http://${outsideHost}#@www.example.test/fragment`, [400]],
    ['GET', `@${outsideHost}/at`, [400]],
    ['CONNECT', outsideHost, [400, 404, 405, 421]],
    ['OPTIONS', '*', [200]]
  ]
  for (const sender of [false, true]) {
    for (const [method, target, allowed] of targets) {
      const auth = sender ? `Coilgun-Secret: ${SECRET}\r\nA-IM: vcdiff\r\n` : ''
      const answer = await rawExchange(url, `${method} ${target} HTTP/1.1\r\nHost: www.example.test\r\n${auth}Connection: close\r\n\r\n`, 1500)
      const status = answer.statuses[0] ?? 0
      // CONNECT is not served at all: Node closes the connection without a response.
      if (method !== 'CONNECT' || status !== 0) assert.ok(allowed.includes(status), `${method} ${target}: ${status}`)
      // `OPTIONS *` is answered by the listener itself (issue 13, RFC 9110 section 9.3.7).
      if (status === 200 && target !== '*') assert.match(answer.text, /origin www/)
    }
  }
  assert.deepEqual(outside.seen, [], 'nothing reached a server outside the map')
  // The mapped origin got paths, never the other server's name.
  for (const r of www.seen) {
    assert.ok(r.url.startsWith('/'), r.url)
    assert.ok(!r.url.includes(outsideHost) || r.url.startsWith('//'), r.url)
    assert.equal(r.headers.host, 'www.example.test')
  }
})

test('Host values dressing up another server are misdirected (421), never routed to it', async (t) => {
  const { url, www, outside, outsideHost, outsidePort } = await setup(t)
  const hosts = [
    outsideHost, `[::1]:${outsidePort}`, `localhost:${outsidePort}`, `www.example.test@${outsideHost}`, `evil@www.example.test`,
    `www.example.test\\@${outsideHost}`, `www.example.test:80@${outsideHost}`, 'www.example.test..', 'www%2eexample.test',
    `www.example.test/${outsideHost}`, `${outsideHost}/www.example.test`, 'www.example.test,evil', '[www.example.test]',
    'evil.www.example.test', 'www.example.test.evil', 'xn--www-example-test'
  ]
  for (const host of hosts) {
    const answer = await rawExchange(url, `GET /h HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 1500)
    assert.ok(answer.statuses[0] === 421 || answer.statuses[0] === 400, `Host ${host}: ${answer.statuses[0]}`)
  }
  // Spelling variants of the mapped name are still it.
  for (const host of ['WWW.Example.Test', 'www.example.test.', 'www.example.test:8443', ' www.example.test ']) {
    const answer = await rawExchange(url, `GET /ok HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 1500)
    assert.match(answer.text, /origin www/, host)
  }
  assert.deepEqual(outside.seen, [])
  assert.equal(www.seen.length, 4)
})

test('through the sender: absolute-form targets and Host values go to the configured upstream only', async (t) => {
  const { url: listenerUrl, www, outside, outsideHost } = await setup(t)
  const { sender, url } = await startSender(listenerUrl)
  t.after(() => sender.close())
  for (const [target, host] of [[`http://${outsideHost}/abs`, 'www.example.test'], ['/p', outsideHost], [`//${outsideHost}/p`, 'www.example.test'], [`http://www.example.test@${outsideHost}/u`, 'www.example.test']] as const) {
    for (const method of ['GET', 'POST']) {
      const body = method === 'POST' ? 'Content-Length: 2\r\n\r\nhi' : '\r\n'
      const answer = await rawExchange(url, `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${body}`, 1500)
      assert.ok([200, 400, 421].includes(answer.statuses[0] ?? 0), `${method} ${target} Host ${host}: ${answer.statuses[0]}`)
    }
  }
  assert.deepEqual(outside.seen, [], 'the sender never connects anywhere but its upstream')
  assert.ok(www.seen.length > 0)
})
