import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import { logCapture } from '../../../test/support/logCapture.ts'
import { SECRET } from './harness.ts'

// Issue 16: two log lines per request with a per-process counter as id, X-Request-Id
// neither honoured nor passed on, nothing saying what Coilgun did; and a sender
// whose secret the origin does not know logged nothing at all.

const PAGE = `<html>${'plain '.repeat(200)}</html>`

async function plainOrigin (): Promise<{ url: string, seen: string[], close: () => void }> {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(String(req.headers['x-request-id']))
    res.setHeader('content-type', 'text/html')
    res.end(PAGE)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() }
}

async function senderWithLog (upstream: string, env: Record<string, string> = {}): Promise<{ url: string, lines: Array<Record<string, unknown>>, close: () => Promise<void> }> {
  const { stream, lines } = logCapture()
  const config = loadSenderConfig({ COILGUN_UPSTREAM: upstream, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', ...env })
  const sender = await buildSender(config, { logger: { level: 'info', stream } })
  const url = await sender.listen()
  return { url, lines, close: () => sender.close() }
}

test('one access line per request, with a generated id that the origin receives too', async t => {
  const origin = await plainOrigin()
  const s = await senderWithLog(origin.url)
  t.after(async () => { await s.close(); origin.close() })
  const res = await fetch(`${s.url}/page?q=1`, { headers: { 'x-request-id': 'from-the-visitor' } })
  assert.equal(await res.text(), PAGE)
  await new Promise(resolve => setTimeout(resolve, 50))
  const requestLines = s.lines.filter(l => l.reqId !== undefined)
  assert.equal(requestLines.length, 1, JSON.stringify(requestLines))
  const line = requestLines[0]!
  assert.equal(line.msg, 'access')
  assert.deepEqual({ method: line.method, path: line.path, status: line.status, outcome: line.outcome }, { method: 'GET', path: '/page?q=1', status: 200, outcome: 'passthrough' })
  assert.equal(line.up, Buffer.byteLength(PAGE))
  assert.equal(typeof line.ut, 'number')
  // Not from a trusted hop: the visitor's id is replaced by a generated one, which the origin sees.
  assert.match(String(line.reqId), /^[A-Za-z0-9_-]{16}$/)
  assert.deepEqual(origin.seen, [line.reqId])

  // A request with a body takes the streaming path (@fastify/http-proxy): same id, same single line.
  const posted = await fetch(`${s.url}/form`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  await posted.text()
  await new Promise(resolve => setTimeout(resolve, 50))
  const postLines = s.lines.filter(l => l.reqId !== undefined && l.method === 'POST')
  assert.equal(postLines.length, 1)
  assert.deepEqual({ status: postLines[0]!.status, outcome: postLines[0]!.outcome }, { status: 200, outcome: 'passthrough' })
  assert.equal(origin.seen[1], postLines[0]!.reqId)
})

test('behind a trusted proxy (COILGUN_TRUST_PROXY) its X-Request-Id is kept and passed on; a malformed one is not', async t => {
  const origin = await plainOrigin()
  const s = await senderWithLog(origin.url, { COILGUN_TRUST_PROXY: 'on' })
  t.after(async () => { await s.close(); origin.close() })
  await (await fetch(`${s.url}/a`, { headers: { 'x-request-id': 'edge-7f3a-0001' } })).text()
  await (await fetch(`${s.url}/b`, { headers: { 'x-request-id': 'bad id\twith spaces' } })).text()
  assert.equal(origin.seen[0], 'edge-7f3a-0001')
  assert.match(origin.seen[1]!, /^[A-Za-z0-9_-]{16}$/)
})

test('an origin that never answers with Coilgun headers gets one warning per episode', async t => {
  const origin = await plainOrigin()
  const s = await senderWithLog(origin.url)
  t.after(async () => { await s.close(); origin.close() })
  for (let i = 0; i < 45; i++) await (await fetch(`${s.url}/p${i}`)).text()
  const warnings = s.lines.filter(l => String(l.msg).includes('does not recognise the secret'))
  assert.equal(warnings.length, 1)
  assert.equal(warnings[0]!.upstream, origin.url)
})
