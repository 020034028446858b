import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connectionOptions, envVia, viaEntry } from '../src/hopByHop.ts'
import { originFormTarget, requestTargetVerdict } from '../src/ownAnswers.ts'
import { upstreamRequestHeaders } from '../src/proxyHeaders.ts'

// Issue 13: the pieces behind the end-to-end tests in test/proxy-*.test.ts.

test('originFormTarget: absolute-form naming the Host becomes origin-form, anything else is left alone (RFC 9112 section 3.2.2)', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['/a?b', 'a.example', '/a?b'],
    ['http://a.example/x?y=1', 'a.example', '/x?y=1'],
    ['HTTP://A.EXAMPLE/x', 'a.example', '/x'],
    ['http://a.example:80/x', 'a.example', '/x'],
    ['https://a.example/x', 'a.example:443', '/x'],
    ['http://a.example:8080/x', 'a.example:8080', '/x'],
    ['http://a.example/x', 'b.example', 'http://a.example/x'],
    ['http://a.example:8080/x', 'a.example', 'http://a.example:8080/x'],
    ['http://user@a.example/x', 'a.example', 'http://user@a.example/x'],
    ['http://a.example/x', undefined, 'http://a.example/x'],
    ['*', 'a.example', '*']
  ]
  for (const [url, host, expected] of cases) assert.equal(originFormTarget({ url, headers: { host } }), expected, `${url} with Host ${host}`)
})

test('requestTargetVerdict: origin-form passes, OPTIONS * is answered, every other form is refused', () => {
  assert.deepEqual(requestTargetVerdict('GET', '/x'), { kind: 'origin-form' })
  assert.deepEqual(requestTargetVerdict('OPTIONS', '*'), { kind: 'asterisk' })
  for (const [method, url] of [['GET', '*'], ['POST', '*'], ['GET', 'http://b.example/x'], ['GET', 'a.example:443'], ['GET', 'x']]) {
    assert.equal(requestTargetVerdict(method!, url!).kind, 'refused', `${method} ${url}`)
  }
})

test('Connection never makes Host hop-by-hop; other listed names are', () => {
  assert.deepEqual([...connectionOptions('Host, X-A , close')], ['x-a', 'close'])
  const out = upstreamRequestHeaders({ host: 'a.example', connection: 'host, x-a', 'x-a': '1', 'x-b': '2', expect: '100-continue', te: 'trailers' }, { ip: '10.0.0.1', proto: 'http', host: 'a.example' }, false, false)
  assert.equal(out.host, 'a.example')
  assert.equal(out['x-a'], undefined)
  assert.equal(out['x-b'], '2')
  assert.equal(out.expect, undefined)
  assert.equal(out.te, undefined)
})

test('Via: entry per received version, COILGUN_VIA pseudonym or off', () => {
  assert.equal(viaEntry('1.1', 'coilgun-sender'), '1.1 coilgun-sender')
  assert.equal(viaEntry('2.0', 'edge'), '2 edge')
  assert.equal(envVia({}, 'COILGUN_VIA', 'coilgun-sender'), 'coilgun-sender')
  assert.equal(envVia({ COILGUN_VIA: 'OFF' }, 'COILGUN_VIA', 'x'), undefined)
  assert.equal(envVia({ COILGUN_VIA: 'edge-7' }, 'COILGUN_VIA', 'x'), 'edge-7')
  assert.throws(() => envVia({ COILGUN_VIA: 'two words' }, 'COILGUN_VIA', 'x'), (err: Error & { code?: string }) => err.code === 'COILGUN_ERR_INVALID_CONFIG' && /COILGUN_VIA/.test(err.message))
})
