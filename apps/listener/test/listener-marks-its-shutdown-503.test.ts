import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { test } from 'node:test'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import { SECRET } from '../../../test/support/originConformance.ts'

// Issue 12, item 6: while shutting down, a request that reaches the listener gets a
// 503 marked Coilgun-Closing (the sender retries only those on another listener);
// an origin cannot forge the mark, the listener strips it from origin answers.

test('a request arriving while the listener closes gets a 503 marked Coilgun-Closing', async (t) => {
  const origin = createServer((_req, res) => res.writeHead(503, { 'coilgun-closing': '1', 'content-type': 'text/plain' }).end('app 503\n'))
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', () => resolve()))
  const originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`
  const listener = await buildListener(loadListenerConfig({ COILGUN_ORIGIN: originUrl, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'silent' }), { logger: false })
  const url = await listener.listen()
  t.after(async () => { origin.close() })

  // The origin's own 503 with a forged mark: the mark is stripped.
  const forged = await fetch(`${url}/x`)
  assert.equal(forged.status, 503)
  assert.equal(forged.headers.get('coilgun-closing'), null, 'an origin cannot forge the mark')
  await forged.text()

  // A request whose headers are still arriving when the listener starts closing.
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  await new Promise<void>(resolve => socket.once('connect', () => resolve()))
  socket.write('GET /y HTTP/1.1\r\nHost: a\r\n')
  await new Promise(resolve => setTimeout(resolve, 100))
  const closed = listener.close()
  await new Promise(resolve => setTimeout(resolve, 100))
  let text = ''
  socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
  const ended = new Promise<void>(resolve => socket.once('close', () => resolve()))
  socket.write('\r\n')
  await ended
  await closed
  assert.match(text, /^HTTP\/1\.1 503 /)
  assert.match(text, /\r\ncoilgun-closing: 1\r\n/i)
  assert.match(text, /\r\nconnection: close\r\n/i)
  assert.match(text, /\r\ncache-control: no-store\r\n/i)
})
