import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { connect } from 'node:tls'
import type { PeerCertificate } from 'node:tls'
import { test } from 'node:test'
import { loadSenderConfig } from '@coilgun/sender'
import { makePki } from '@coilgun/fixtures/pki'
import { SECRET, startSender } from './harness.ts'

// Issues 16 and 18: the visitor-facing certificate (COILGUN_TLS_CERT/_KEY) is
// reloaded on SIGHUP: new TLS handshakes get the new one, a connection already open
// keeps working, and a key that does not match its certificate is refused with the
// running certificate kept.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

function peerCertificate (port: number, ca: string): Promise<{ cert: PeerCertificate, close: () => void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: [ca], ALPNProtocols: ['http/1.1'] }, () => resolve({ cert: socket.getPeerCertificate(), close: () => socket.destroy() }))
    socket.once('error', reject)
  })
}

test('SIGHUP: new handshakes use the new visitor certificate; a mismatched key keeps the old one', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const first = makePki()
  const second = makePki()
  const { readFileSync } = await import('node:fs')
  const env = (pki: typeof first): Record<string, string> => ({ COILGUN_TLS_CERT: pki.serverCert, COILGUN_TLS_KEY: pki.serverKey })
  const { sender, url } = await startSender('http://127.0.0.1:1', env(first))
  t.after(() => sender.close())
  const port = Number(new URL(url).port)
  const before = await peerCertificate(port, readFileSync(first.ca, 'utf8'))
  const base = { COILGUN_UPSTREAM: 'http://127.0.0.1:1', COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off' }

  const changes = sender.reload(loadSenderConfig({ ...base, ...env(second) }))
  assert.deepEqual(changes, ['TLS certificate and key'])
  const after = await peerCertificate(port, readFileSync(second.ca, 'utf8'))
  assert.notEqual(after.cert.fingerprint256, before.cert.fingerprint256, 'a new handshake gets the new certificate')
  assert.equal(before.cert.fingerprint256.length > 0, true)

  // A key that does not belong to the certificate: refused, the running one stays.
  assert.throws(() => sender.reload(loadSenderConfig({ ...base, COILGUN_TLS_CERT: first.serverCert, COILGUN_TLS_KEY: second.serverKey })))
  const still = await peerCertificate(port, readFileSync(second.ca, 'utf8'))
  assert.equal(still.cert.fingerprint256, after.cert.fingerprint256, 'the failed reload kept the running certificate')
  before.close()
  after.close()
  still.close()
})
