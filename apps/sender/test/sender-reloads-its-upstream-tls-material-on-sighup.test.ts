import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { makePki } from '@coilgun/fixtures/pki'
import { waitFor } from '../../../test/support/adminProbe.ts'
import { holdPort } from '../../../test/support/cliRun.ts'
import { SECRET } from './harness.ts'

// Issue 16 ("SIGHUP reloads"): the sender's upstream TLS material (the CA bundle it
// verifies upstreams with, COILGUN_UPSTREAM_CA, and the client certificate it
// presents, COILGUN_UPSTREAM_CERT/_KEY) is read again on SIGHUP: new upstream
// connections use it, requests in flight finish on the old pool, and a reload with
// a broken file keeps the running material and logs a coded reason. Driven as an
// operator rotates a mutual-TLS PKI: the built command, a real signal, requests in
// flight the whole time (GETs on the delta path, POSTs through the proxy).

const hasOpenssl = spawnSync('openssl', ['version']).status === 0
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

test('SIGHUP under load: a rotated upstream CA and client certificate apply without a failed request; broken files keep the old ones', { skip: hasOpenssl ? false : 'openssl not installed' }, async t => {
  const first = makePki()
  const second = makePki()
  const pem = (file: string): string => readFileSync(file, 'utf8')
  const fingerprint = (file: string): string => new X509Certificate(pem(file)).fingerprint256
  const clientOf = new Map([[fingerprint(first.clientCert), 'client-1'], [fingerprint(second.clientCert), 'client-2']])

  // The upstream requires a client certificate from CA-1. It closes every connection
  // after its answer, so each upstream request is a new TLS handshake, made with the
  // material the sender holds at that moment.
  const served = new Map<string, number>()
  const upstream = createServer({ cert: pem(first.serverCert), key: pem(first.serverKey), ca: [pem(first.ca)], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerX509Certificate()
    const client = peer === undefined ? 'none' : clientOf.get(peer.fingerprint256) ?? 'unknown'
    served.set(client, (served.get(client) ?? 0) + 1)
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', connection: 'close' })
      res.end(client)
    })
  })
  await new Promise<void>(resolve => upstream.listen(0, '127.0.0.1', resolve))
  const upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`

  const dir = mkdtempSync(join(tmpdir(), 'coilgun-upstream-tls-'))
  const caFile = join(dir, 'upstream-ca.pem')
  const certFile = join(dir, 'client.pem')
  const keyFile = join(dir, 'client.key')
  copyFileSync(first.ca, caFile)
  copyFileSync(first.clientCert, certFile)
  copyFileSync(first.clientKey, keyFile)
  const { server: placeholder, port } = await holdPort()
  await new Promise(resolve => placeholder.close(resolve))
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', COILGUN_UPSTREAM: upstreamUrl, COILGUN_SECRET: SECRET, COILGUN_LISTEN: `127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: 'off', COILGUN_UPSTREAM_CA: caFile, COILGUN_UPSTREAM_CERT: certFile, COILGUN_UPSTREAM_KEY: keyFile },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let log = ''
  child.stdout.on('data', (d: Buffer) => { log += d.toString() })
  const agent = new Agent({ connections: 8 })
  t.after(async () => {
    child.kill('SIGKILL')
    upstream.closeAllConnections()
    upstream.close()
    await agent.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await waitFor('listening', async () => log.includes('coilgun-sender listening'))

  let running = true
  let ok = 0
  let n = 0
  const failures: string[] = []
  const answers = new Map<string, number>()
  async function visitor (): Promise<void> {
    while (running) {
      const i = n++
      try {
        // One request in three is a POST: it goes through @fastify/http-proxy's dispatcher.
        const res = await request(`http://127.0.0.1:${port}/item/${i}`, i % 3 === 0 ? { dispatcher: agent, method: 'POST', body: `body ${i}` } : { dispatcher: agent })
        const body = await res.body.text()
        if (res.statusCode !== 200) failures.push(`${res.statusCode} ${body}`)
        else { ok++; answers.set(body, (answers.get(body) ?? 0) + 1) }
      } catch (err) {
        failures.push(String(err))
        await new Promise(resolve => setImmediate(resolve))
      }
    }
  }
  const load = Array.from({ length: 6 }, visitor)
  const reloads = (what: RegExp): number => log.split('\n').filter(line => what.test(line)).length

  await waitFor('traffic with client-1', async () => ok > 50 || failures.length > 0)
  assert.deepEqual(failures, [])
  assert.deepEqual([...served.keys()], ['client-1'])

  // Rotation, step 1: the upstream also accepts CA-2 clients (what it trusts is its own affair).
  upstream.setSecureContext({ cert: pem(first.serverCert), key: pem(first.serverKey), ca: [pem(first.ca), pem(second.ca)] })
  // Step 2: the sender gets a CA-2 client certificate and trusts both server CAs.
  writeFileSync(caFile, pem(first.ca) + pem(second.ca))
  copyFileSync(second.clientCert, certFile)
  copyFileSync(second.clientKey, keyFile)
  child.kill('SIGHUP')
  await waitFor('upstream material reloaded', async () => log.includes('SIGHUP: reloaded upstream CA bundle (COILGUN_UPSTREAM_CA); upstream client certificate and key (COILGUN_UPSTREAM_CERT, COILGUN_UPSTREAM_KEY)'))
  const reloadedAt = served.get('client-2') ?? 0
  await waitFor('traffic with client-2', async () => (served.get('client-2') ?? 0) > reloadedAt + 50)

  // Step 3: the upstream switches to a CA-2 server certificate and CA-2 clients only.
  // A sender still on the CA-1 material fails every request from here on.
  upstream.setSecureContext({ cert: pem(second.serverCert), key: pem(second.serverKey), ca: [pem(second.ca)] })
  let before = ok
  await waitFor('traffic after the upstream switched to CA-2', async () => ok > before + 50 || failures.length > 0)
  assert.deepEqual(failures, [])

  // Broken files: each reload is refused with a coded reason and the running material stays.
  const broken: Array<[string, () => void, string]> = [
    ['a key that does not match the certificate', () => copyFileSync(first.clientKey, keyFile), 'COILGUN_UPSTREAM_KEY: does not match the certificate of COILGUN_UPSTREAM_CERT'],
    ['an unparsable CA bundle', () => { copyFileSync(second.clientKey, keyFile); writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n') }, 'COILGUN_UPSTREAM_CA: certificate 1 of the bundle does not parse'],
    ['a missing certificate file', () => { writeFileSync(caFile, pem(second.ca)); rmSync(certFile) }, 'COILGUN_UPSTREAM_CERT: expected a readable PEM file (ENOENT)']
  ]
  for (const [what, breakFiles, reason] of broken) {
    const failedBefore = reloads(/SIGHUP: reload failed/)
    breakFiles()
    child.kill('SIGHUP')
    await waitFor(`failed reload logged for ${what}`, async () => reloads(/SIGHUP: reload failed/) > failedBefore)
    const line = log.split('\n').filter(l => l.includes('SIGHUP: reload failed')).at(-1)!
    assert.equal(JSON.parse(line).code, 'COILGUN_ERR_INVALID_CONFIG', `${what}: the line carries the error's code`)
    assert.ok(line.includes(reason), `${what}: ${line}`)
    before = ok
    const servedBefore = served.get('client-2') ?? 0
    await waitFor(`still serving after ${what}`, async () => (ok > before + 30 && (served.get('client-2') ?? 0) > servedBefore + 30) || failures.length > 0)
  }

  running = false
  await Promise.all(load)
  t.diagnostic(`${ok} requests (${n} started) during one reload and three refused reloads, ${failures.length} failed; upstream saw ${JSON.stringify(Object.fromEntries(served))}`)
  assert.deepEqual(failures, [], `${failures.length} failed requests out of ${ok + failures.length}`)
  assert.deepEqual([...served.keys()].sort(), ['client-1', 'client-2'], 'the upstream only ever saw the two client certificates')
  assert.equal(reloads(/SIGHUP: reloaded/), 1)
  assert.equal(child.exitCode, null, 'the sender is still running')
})
