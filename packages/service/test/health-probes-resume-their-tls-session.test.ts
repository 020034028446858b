import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { createServer } from 'node:tls'
import type { TLSSocket } from 'node:tls'
import { makePki } from '@coilgun/fixtures/pki'
import { ActiveHealthCheck } from '@coilgun/service'

// Issue 17: the sender's health probe of an https: upstream was a full TLS handshake
// every 5 s, 1.8 KB of certificate and key exchange on the link Coilgun exists to
// save, 22 KB a minute on an idle link. A good probe now waits for the server's
// session ticket before it closes, and the next probe resumes the session.

test('after the first probe, https: health probes resume the TLS session and send a fraction of the bytes', async (t) => {
  const pki = makePki()
  const handshakes: Array<{ resumed: boolean }> = []
  /** Bytes the server wrote on each TCP connection (what crosses the link towards the sender). */
  const written: number[] = []
  // Like the listener, the server waits for the client to speak or leave.
  const server = createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (socket: TLSSocket) => {
    const resumed = socket.isSessionReused()
    socket.on('error', () => {})
    handshakes.push({ resumed })
  })
  server.on('connection', raw => { raw.once('close', () => { written.push(raw.bytesWritten) }) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const states: boolean[] = []
  const check = new ActiveHealthCheck([`https://127.0.0.1:${port}`], {
    intervalMs: 100, timeoutMs: 2000, unhealthyThreshold: 1, healthyThreshold: 1,
    tls: { ca: readFileSync(pki.ca, 'utf8') },
    onChange: (_i, healthy) => { states.push(healthy) }
  })
  t.after(() => check.close())
  check.start()
  while (written.length < 6) await sleep(20)
  assert.deepEqual(check.status().map(s => s.healthy), [true])
  assert.equal(handshakes[0]!.resumed, false, 'the first probe is a full handshake')
  const later = handshakes.slice(1)
  assert.ok(later.every(h => h.resumed), `later probes resume: ${JSON.stringify(handshakes)}`)
  // A resumed handshake sends no certificate: the server writes a fraction of the bytes.
  assert.ok(written.slice(1).every(n => n * 2 < written[0]!), `bytes written per probe: ${written.join(', ')}`)
  t.diagnostic(`bytes the server wrote per probe: ${written.join(', ')}`)
})
