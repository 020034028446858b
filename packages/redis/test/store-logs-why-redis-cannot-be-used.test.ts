import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { createServer as createTlsServer } from 'node:tls'
import { test } from 'node:test'
import { createRedisVersionStore } from '@coilgun/redis'
import { BACK, capturingLogger, UNAVAILABLE } from './capturingLogger.ts'
import type { LogLine } from './capturingLogger.ts'
import { freePort, RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { waitFor } from '@coilgun/fixtures/waitFor'

// Issue 13: a listener whose Redis needs a password it lacks logged only "the
// connection to Redis closed". Each outage episode now logs its real reason
// (authentication, TLS, refused) once, however many reconnects fail the same way.

const PASSWORD = 'right-password-0123456789'

function reasons (lines: readonly LogLine[]): string[] {
  return lines.filter(l => l.level === 'warn').map(l => String((l.obj as { reason?: string }).reason))
}

function errorText (lines: readonly LogLine[]): string {
  return lines.map(l => String((l.obj as { err?: Error }).err?.message ?? '')).join('\n')
}

test('a Redis that needs a password: no password or a wrong one is logged as authentication, once', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start({ args: ['--requirepass', PASSWORD] })
  t.after(() => server.stop())
  for (const url of [server.url, `redis://:wrong-password@127.0.0.1:${server.port}`]) {
    const logger = capturingLogger()
    const store = createRedisVersionStore({ url, logger })
    await waitFor('the outage to be logged', () => logger.count(UNAVAILABLE) === 1)
    // ioredis keeps reconnecting, and fails the same way each time.
    await sleep(1500)
    await store.close()
    assert.deepEqual(reasons(logger.lines), ['authentication'], `${url}: ${JSON.stringify(logger.lines.map(l => l.msg))}`)
    assert.match(logger.lines[0]!.msg, /Redis unavailable \(authentication\)/)
    assert.match(errorText(logger.lines), /NOAUTH|WRONGPASS/)
  }
})

test('a password set while connected: the episode starts with "closed", then says authentication, once', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: server.url, logger })
  t.after(() => store.close())
  await waitFor('the store to connect', () => store.stats().healthy)
  await server.command('CONFIG', 'SET', 'requirepass', PASSWORD)
  await server.command('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
  await waitFor('the reason to be logged', () => reasons(logger.lines).includes('authentication'))
  await sleep(1500)
  assert.deepEqual(reasons(logger.lines), ['closed', 'authentication'], JSON.stringify(logger.lines.map(l => l.msg)))
  assert.match(errorText(logger.lines), /NOAUTH/)
  // Fixed: the password removed, the store comes back and says so once.
  await server.command('CONFIG', 'SET', 'requirepass', '')
  await waitFor('the store to come back', () => logger.count(BACK) === 1)
})

test('nothing listening is logged as refused, once', skipWithoutRedis(), async () => {
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: `redis://127.0.0.1:${await freePort()}`, logger })
  await waitFor('the outage to be logged', () => logger.count(UNAVAILABLE) === 1)
  await sleep(1000)
  await store.close()
  assert.deepEqual(reasons(logger.lines), ['refused'])
})

test('a TLS server whose certificate is not trusted is logged as tls, once', skipWithoutRedis(), async (t) => {
  // A TLS endpoint with a self-signed certificate the store was not told to trust.
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-redis-tls-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir })
  assert.equal(made.status, 0, 'openssl made a certificate')
  const server = createTlsServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, socket => socket.destroy())
  server.on('tlsClientError', () => {})
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: `rediss://127.0.0.1:${(server.address() as AddressInfo).port}`, logger })
  await waitFor('the outage to be logged', () => logger.count(UNAVAILABLE) === 1)
  await sleep(1000)
  await store.close()
  assert.deepEqual(reasons(logger.lines), ['tls'], errorText(logger.lines))
})
