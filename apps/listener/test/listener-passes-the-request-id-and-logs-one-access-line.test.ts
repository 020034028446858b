import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import { logCapture } from '../../../test/support/logCapture.ts'
import { SECRET, startSender } from './harness.ts'

// Issue 16: one request id from the sender through the listener to the application,
// and one access line on the listener saying what it did (outcome, codec, link and
// page bytes, origin time).

const PAGE = `<html>${'listener '.repeat(300)}</html>`

test('the application sees the sender\'s request id; the listener logs one access line with the Coilgun outcome', async t => {
  const seen: string[] = []
  const origin = createServer((req, res) => { seen.push(String(req.headers['x-request-id'])); res.setHeader('content-type', 'text/html'); res.end(PAGE) })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { stream, lines } = logCapture()
  const listener = await buildListener(loadListenerConfig({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off' }), { logger: { level: 'info', stream } })
  const listenerUrl = await listener.listen()
  const { sender, url } = await startSender(listenerUrl, { COILGUN_TRUST_PROXY: 'on' })
  t.after(async () => { await sender.close(); await listener.close(); origin.close() })

  const res = await fetch(`${url}/page`, { headers: { 'x-request-id': 'trace-42' } })
  assert.equal(await res.text(), PAGE)
  await new Promise(resolve => setTimeout(resolve, 50))
  assert.deepEqual(seen, ['trace-42'])
  const access = lines.filter(l => l.reqId !== undefined)
  assert.equal(access.length, 1, JSON.stringify(access))
  const line = access[0]!
  assert.deepEqual({ reqId: line.reqId, msg: line.msg, method: line.method, path: line.path, status: line.status, outcome: line.outcome, size: line.size }, { reqId: 'trace-42', msg: 'access', method: 'GET', path: '/page', status: 200, outcome: 'full', size: Buffer.byteLength(PAGE) })
  assert.ok(typeof line.up === 'number' && line.up > 0 && line.up < Buffer.byteLength(PAGE), `link bytes ${String(line.up)}`)
  assert.equal(typeof line.ot, 'number')
})
