import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import WebSocket from 'ws'
import { rawExchange } from './support/rawHttp.ts'
import { parseFirstResponse, startTopologies } from './support/proxyTopology.ts'
import type { OriginSaw, Topology } from './support/proxyTopology.ts'

// Issue 13: forwarding fields a visitor writes (X-Forwarded-*, Forwarded, X-Real-IP,
// True-Client-IP, Via) are replaced, not appended to, unless COILGUN_TRUST_PROXY says
// the hop before is trusted; the sender and the listener each add Via (RFC 9110
// section 7.6.3), switched by COILGUN_VIA. Checked on the delta path (GET), the
// passthrough path (POST) and an upgrade, at the origin.

const FORGED = 'X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 1\r\nForwarded: for=6.6.6.6;host=evil.example\r\nX-Real-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\nVia: 1.1 evil-proxy\r\n'

async function visitEveryPath (topo: Topology): Promise<OriginSaw[]> {
  for (const [method, path] of [['GET', '/g'], ['POST', '/p']] as const) {
    const answer = parseFirstResponse((await rawExchange(topo.url, `${method} ${path} HTTP/1.1\r\nHost: a.example\r\n${FORGED}Content-Length: 0\r\nConnection: close\r\n\r\n`)).text)
    assert.equal(answer.status, 200, `${topo.name} ${method}`)
  }
  const ws = new WebSocket(topo.url.replace(/^http/, 'ws') + '/u', {
    headers: { host: 'a.example', 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', 'true-client-ip': '6.6.6.6', forwarded: 'for=6.6.6.6', via: '1.1 evil-proxy' }
  })
  await once(ws, 'open')
  ws.close()
  return topo.a.seen
}

test('untrusted visitors: forwarding fields are replaced and Via names each Coilgun hop', async (t) => {
  for (const topo of await startTopologies(t)) {
    const seen = await visitEveryPath(topo)
    assert.deepEqual(seen.map(r => r.url).sort(), ['/g', '/p', '/u'], topo.name)
    const hops = topo.name === 'sender' ? 1 : 2
    for (const r of seen) {
      const where = `${topo.name} ${r.method} ${r.url}`
      // Behind the listener the sender is a trusted hop: it appends its address.
      assert.equal(r.headers['x-forwarded-for'], hops === 1 ? '127.0.0.1' : '127.0.0.1, 127.0.0.1', where)
      assert.equal(r.headers['x-real-ip'], '127.0.0.1', where)
      assert.equal(r.headers['x-forwarded-proto'], 'http', where)
      assert.equal(r.headers['x-forwarded-host'], 'a.example', where)
      assert.equal(r.headers['x-forwarded-port'], undefined, where)
      assert.equal(r.headers.forwarded, undefined, where)
      assert.equal(r.headers['true-client-ip'], undefined, where)
      assert.equal(r.headers.via, hops === 1 ? '1.1 coilgun-sender' : '1.1 coilgun-sender, 1.1 coilgun-listener', where)
      assert.equal(r.rawNames.filter(n => n.toLowerCase() === 'x-forwarded-for').length, 1, `${where}: one X-Forwarded-For`)
    }
  }
})

test('COILGUN_TRUST_PROXY=on: the hop before is believed and appended to', async (t) => {
  for (const topo of await startTopologies(t, { COILGUN_TRUST_PROXY: 'on' })) {
    for (const r of await visitEveryPath(topo)) {
      const where = `${topo.name} ${r.method} ${r.url}`
      // Each hop appends the address it received the request from, not the client it believes in.
      assert.equal(r.headers['x-forwarded-for'], topo.name === 'sender' ? '6.6.6.6, 127.0.0.1' : '6.6.6.6, 127.0.0.1, 127.0.0.1', where)
      assert.equal(r.headers['x-real-ip'], '6.6.6.6', where)
      assert.equal(r.headers['true-client-ip'], '6.6.6.6', where)
      assert.match(String(r.headers.forwarded), /for=6\.6\.6\.6/, where)
      assert.match(String(r.headers.via), /^1\.1 evil-proxy, 1\.1 coilgun-sender/, where)
    }
  }
})

test('COILGUN_VIA names the hop, or switches Via off', async (t) => {
  const [alone] = await startTopologies(t, { COILGUN_VIA: 'edge-7' })
  await rawExchange(alone!.url, 'GET /v HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')
  assert.equal(alone!.a.seen[0]!.headers.via, '1.1 edge-7')
  const [, behind] = await startTopologies(t, { COILGUN_VIA: 'off' }, { COILGUN_VIA: 'off' })
  await rawExchange(behind!.url, `POST /v HTTP/1.1\r\nHost: a.example\r\n${FORGED}Content-Length: 0\r\nConnection: close\r\n\r\n`)
  assert.equal(behind!.a.seen[0]!.headers.via, undefined, 'no Via at all, and the forged one is gone')
})
