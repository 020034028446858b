import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { startListener } from './harness.ts'
import { hostRoutingFuzz } from './fuzzHostRouting.ts'
import { SECRET } from '../../../test/support/originConformance.ts'
import { rawExchange, recordingServer } from '../../../test/support/rawHttp.ts'

// Issue 8: the listener's host routing under random input. First the routing
// function itself (thousands of Host values); then real requests over raw sockets
// with random methods, Host values and request targets (absolute-form URLs naming
// another server, userinfo, `//host`, backslashes, IPv6 literals): nothing ever
// reaches a server outside the map, and a mapped origin only answers for its name.

test('route() returns a route of the map, exact ones only for their own name', async (t) => {
  const target = await hostRoutingFuzz()
  t.after(() => target.close?.())
  target.run(4000)
  const outcomes = Object.fromEntries(target.outcomes)
  for (const kind of ['exact', 'default', 'misdirected']) assert.ok((outcomes[kind] ?? 0) > 0, `no case routed ${kind}: ${JSON.stringify(outcomes)}`)
})

for (const withDefault of [false, true]) {
  test(`random raw requests to a listener ${withDefault ? 'with' : 'without'} a default entry never reach a server outside the map`, async (t) => {
    const www = await recordingServer('www')
    const api = await recordingServer('api')
    const fallback = await recordingServer('default')
    const outside = await recordingServer('outside', { lenient: true })
    const map = `www.example.test=${www.url},api.example.test=${api.url}${withDefault ? `,default=${fallback.url}` : ''}`
    const { listener, url } = await startListener({ COILGUN_ORIGINS: map })
    t.after(async () => { await listener.close(); for (const s of [www, api, fallback, outside]) await s.close() })
    const outsideHost = new URL(outside.url).host
    const outsidePort = new URL(outside.url).port

    const hostValue = fc.oneof(
      fc.constantFrom('www.example.test', 'API.example.test:443', 'www.example.test.', outsideHost, `[::1]:${outsidePort}`, `localhost:${outsidePort}`,
        `www.example.test@${outsideHost}`, `${outsideHost}@www.example.test`, `www.example.test\\@${outsideHost}`, `www.example.test:${outsidePort}`, 'evil.test'),
      fc.string({ unit: fc.constantFrom(...'wapi.exmpltsd:@[]\\/1270'.split('')), maxLength: 30 })
    )
    const requestTarget = fc.oneof(
      fc.constantFrom('/', '/a?b=c', `http://${outsideHost}/abs`, `http://www.example.test@${outsideHost}/at`, `//${outsideHost}/scheme-relative`,
        `http://[::1]:${outsidePort}/v6`, `http://${outsideHost}\\@www.example.test/bs`, `https://${outsideHost}/tls`, '*', `${outsideHost}`),
      fc.webPath().map(p => `/${p.replace(/^\/+/, '')}`)
    )
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'),
      target: requestTarget,
      host: fc.option(hostValue, { nil: undefined, freq: 8 }),
      sender: fc.boolean()
    })

    await fc.assert(fc.asyncProperty(request, async ({ method, target, host, sender }) => {
      const lines = [`${method} ${target} HTTP/1.1`]
      if (host !== undefined) lines.push(`Host: ${host}`)
      if (sender) lines.push(`Coilgun-Secret: ${SECRET}`, 'A-IM: vcdiff')
      if (method === 'POST') lines.push('Content-Length: 2')
      lines.push('Connection: close', '', method === 'POST' ? 'hi' : '')
      const answer = await rawExchange(url, lines.join('\r\n'))
      assert.equal(outside.seen.length, 0, `${method} ${target} Host ${JSON.stringify(host)} reached a server outside the map`)
      const status = answer.statuses[0]
      if (status !== 200) return
      const normalized = (host ?? '').trim().toLowerCase()
      if (answer.text.includes('origin www')) assert.match(normalized, /^www\.example\.test\.?(:[^:]*)?$/)
      if (answer.text.includes('origin api')) assert.match(normalized, /^api\.example\.test\.?(:[^:]*)?$/)
      if (answer.text.includes('origin default')) assert.ok(withDefault)
    }), { numRuns: 150 })
    assert.equal(outside.seen.length, 0)
    assert.ok(www.seen.length + api.seen.length + fallback.seen.length > 0, 'some requests were routed')
  })
}
