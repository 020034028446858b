import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { makePki, startListener, startSender } from './harness.ts'

// Issue 5: the sender link over TLS with client certificates: a sender without the
// client certificate is refused; with it (and the CA), deltas flow.

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

test('mutual TLS between sender and listener', { skip: hasOpenssl ? false : 'openssl not installed' }, async (t) => {
  const pki = makePki()
  const pages = versionedPages(4)
  const page = pages[0]!
  const state: AppState = { current: new Map() }
  // The origin is a plain app (no plugin): the listener does the deltas.
  const origin = await startFastifyOrigin(pages, state, { plugin: false, compress: false })
  const { listener, url: listenerUrl } = await startListener({
    COILGUN_ORIGIN: origin.url,
    COILGUN_TLS_CERT: pki.serverCert,
    COILGUN_TLS_KEY: pki.serverKey,
    COILGUN_TLS_CLIENT_CA: pki.ca
  })
  assert.match(listenerUrl, /^https:/)
  const withCert = await startSender(listenerUrl, { COILGUN_UPSTREAM_CA: pki.ca, COILGUN_UPSTREAM_CERT: pki.clientCert, COILGUN_UPSTREAM_KEY: pki.clientKey })
  const withoutCert = await startSender(listenerUrl, { COILGUN_UPSTREAM_CA: pki.ca })
  const wrongCa = await startSender(listenerUrl, { COILGUN_UPSTREAM_CA: pki.otherCa, COILGUN_UPSTREAM_CERT: pki.clientCert, COILGUN_UPSTREAM_KEY: pki.clientKey })
  t.after(async () => {
    await Promise.all([withCert.sender.close(), withoutCert.sender.close(), wrongCa.sender.close()])
    await listener.close()
    await origin.close()
  })

  const refused = await rawGet(`${withoutCert.url}/page/${page.name}`)
  assert.equal(refused.status, 502, 'no client certificate: the listener refuses the TLS handshake')
  const untrusted = await rawGet(`${wrongCa.url}/page/${page.name}`)
  assert.equal(untrusted.status, 502, 'a listener certificate from an unknown CA is refused by the sender')

  const outcomes: string[] = []
  for (let i = 0; i < page.versions.length; i++) {
    state.current.set(page.name, i)
    const res = await rawGet(`${withCert.url}/page/${page.name}`)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(page.versions[i]!), `v${i + 1} differs`)
    outcomes.push(String(res.headers.coilgun).split(';')[0]!)
  }
  assert.deepEqual(outcomes, ['full', ...Array(page.versions.length - 1).fill('delta')])
})
