import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { waitFor } from '../../../test/support/adminProbe.ts'
import { holdPort } from '../../../test/support/cliRun.ts'
import { makePki } from './harness.ts'

// Issue 16: SIGHUP killed the listener with nothing logged. It now reloads what
// comes from files (certificate and key, host map, secrets) without dropping a
// connection or failing a request, logs what changed, and keeps the running
// configuration when the new one is invalid. Driven as operators do: the built
// command, real signals, requests in flight the whole time.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

async function origin (name: string): Promise<{ url: string, close: () => void }> {
  const server = createServer((_req, res) => { res.setHeader('content-type', 'text/plain'); res.end(name) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => { server.closeAllConnections(); server.close() } }
}

function peerFingerprint (port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256)
      socket.destroy()
    })
    socket.once('error', reject)
  })
}

test('SIGHUP under load: a new certificate and a new host map apply without a failed request; a bad reload keeps the old one', async t => {
  const first = makePki()
  const second = makePki()
  const ca = [readFileSync(first.ca, 'utf8'), readFileSync(second.ca, 'utf8')]
  const a = await origin('A')
  const b = await origin('B')
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-reload-'))
  const cert = join(dir, 'listener.pem')
  const key = join(dir, 'listener.key')
  const map = join(dir, 'origins.map')
  copyFileSync(first.serverCert, cert)
  copyFileSync(first.serverKey, key)
  writeFileSync(map, `site.test=${a.url}\n`)
  const { server: placeholder, port } = await holdPort()
  await new Promise(resolve => placeholder.close(resolve))

  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', COILGUN_SECRET: 'reload-test-secret-0123', COILGUN_LISTEN: `127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: 'off', COILGUN_TLS_CERT: cert, COILGUN_TLS_KEY: key, COILGUN_ORIGINS_FILE: map },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let log = ''
  child.stdout.on('data', (d: Buffer) => { log += d.toString() })
  // The Host header (site.test) is not in the test certificate: the CA is still checked.
  const agent = new Agent({ connections: 8, connect: { ca, checkServerIdentity: () => undefined } })
  t.after(async () => { child.kill('SIGKILL'); a.close(); b.close(); await agent.close() })
  await waitFor('listening', async () => log.includes('coilgun-listener listening'))

  let running = true
  let ok = 0
  const failures: string[] = []
  const seen = new Set<string>()
  async function visitor (): Promise<void> {
    while (running) {
      try {
        const res = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent, headers: { host: 'site.test' } })
        const body = await res.body.text()
        if (res.statusCode !== 200) failures.push(`${res.statusCode} ${body}`)
        else { ok++; seen.add(body) }
      } catch (err) {
        failures.push(String(err))
        await new Promise(resolve => setImmediate(resolve))
      }
    }
  }
  const load = Array.from({ length: 6 }, visitor)

  await waitFor('traffic', async () => ok > 50 || failures.length > 0)
  assert.deepEqual(failures, [])
  assert.equal(await peerFingerprint(port, ca), new X509Certificate(readFileSync(first.serverCert)).fingerprint256)

  copyFileSync(second.serverCert, cert)
  copyFileSync(second.serverKey, key)
  child.kill('SIGHUP')
  await waitFor('certificate reloaded', async () => log.includes('SIGHUP: reloaded TLS certificate and key'))
  assert.equal(await peerFingerprint(port, ca), new X509Certificate(readFileSync(second.serverCert)).fingerprint256)

  writeFileSync(map, `# moved to B\nsite.test=${b.url}\n`)
  child.kill('SIGHUP')
  await waitFor('host map reloaded', async () => /SIGHUP: reloaded host map \(site\.test: http:\/\/127\.0\.0\.1:\d+ -> http:\/\/127\.0\.0\.1:\d+\)/.test(log))
  const before = ok
  await waitFor('answers from B', async () => seen.has('B') && ok > before + 50)

  // A key that does not match the certificate: refused, the running one stays.
  copyFileSync(first.serverKey, key)
  writeFileSync(map, 'not a host map line !!\n')
  child.kill('SIGHUP')
  await waitFor('failed reload logged', async () => log.includes('SIGHUP: reload failed, keeping the running configuration'))
  const after = ok
  await waitFor('still serving', async () => ok > after + 50)
  assert.equal(await peerFingerprint(port, ca), new X509Certificate(readFileSync(second.serverCert)).fingerprint256)

  running = false
  await Promise.all(load)
  t.diagnostic(`${ok} requests during three reloads, ${failures.length} failed`)
  assert.deepEqual(failures, [], `${failures.length} failed requests out of ${ok + failures.length}`)
  assert.equal(child.exitCode, null, 'the listener is still running')
})
