import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadSenderConfig } from '@coilgun/sender'

// Issue 4: a missing or malformed variable stops the process with exit code 1 and
// one line that names the variable and the expected form.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const GOOD = { COILGUN_UPSTREAM: 'http://127.0.0.1:9', COILGUN_SECRET: 'a-long-enough-secret-123', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LISTEN: '127.0.0.1:0' }
const notPem = join(mkdtempSync(join(tmpdir(), 'coilgun-cfg-')), 'not.pem')
writeFileSync(notPem, 'hello')
const pemLike = join(mkdtempSync(join(tmpdir(), 'coilgun-cfg-')), 'cert.pem')
writeFileSync(pemLike, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')

const CASES: Array<[string, Record<string, string | undefined>]> = [
  ['COILGUN_UPSTREAM', { COILGUN_UPSTREAM: undefined }],
  ['COILGUN_UPSTREAM', { COILGUN_UPSTREAM: 'ftp://origin' }],
  ['COILGUN_UPSTREAM', { COILGUN_UPSTREAM: 'http://origin/path' }],
  ['COILGUN_UPSTREAM', { COILGUN_UPSTREAM: 'not a url' }],
  ['COILGUN_SECRET', { COILGUN_SECRET: undefined }],
  ['COILGUN_SECRET', { COILGUN_SECRET: 'short' }],
  ['COILGUN_LISTEN', { COILGUN_LISTEN: 'localhost' }],
  ['COILGUN_LISTEN', { COILGUN_LISTEN: '0.0.0.0:99999' }],
  ['COILGUN_ADMIN_LISTEN', { COILGUN_ADMIN_LISTEN: 'nope' }],
  ['COILGUN_CACHE_MAX_BYTES', { COILGUN_CACHE_MAX_BYTES: '10 parsecs' }],
  ['COILGUN_CACHE_MAX_BYTES', { COILGUN_CACHE_MAX_BYTES: '-1' }],
  ['COILGUN_MAX_BODY_BYTES', { COILGUN_MAX_BODY_BYTES: 'lots' }],
  ['COILGUN_CODECS', { COILGUN_CODECS: 'vcdiff,bsdiff' }],
  ['COILGUN_CODECS', { COILGUN_CODECS: ',' }],
  ['COILGUN_LOG_LEVEL', { COILGUN_LOG_LEVEL: 'loud' }],
  ['COILGUN_UPSTREAM_TIMEOUT_MS', { COILGUN_UPSTREAM_TIMEOUT_MS: '0' }],
  ['COILGUN_UPSTREAM_HTTP2', { COILGUN_UPSTREAM_HTTP2: 'maybe' }],
  ['COILGUN_DIAGNOSTIC_HEADER', { COILGUN_DIAGNOSTIC_HEADER: 'sometimes' }],
  ['COILGUN_UPSTREAM_CA', { COILGUN_UPSTREAM_CA: '/nonexistent/ca.pem' }],
  ['COILGUN_UPSTREAM_CA', { COILGUN_UPSTREAM_CA: notPem }],
  ['COILGUN_UPSTREAM_CERT', { COILGUN_UPSTREAM_CERT: notPem }],
  ['COILGUN_UPSTREAM_KEY', { COILGUN_UPSTREAM_CERT: pemLike }]
]

test('each invalid variable: exit code 1 and one line naming it', () => {
  for (const [variable, change] of CASES) {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' }
    for (const [k, v] of Object.entries({ ...GOOD, ...change })) if (v !== undefined) env[k] = v
    const r = spawnSync(process.execPath, [main], { env, encoding: 'utf8', timeout: 20_000 })
    assert.equal(r.status, 1, `${variable} ${JSON.stringify(change)}: exit ${r.status} ${r.stderr}`)
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`)
    assert.match(lines[0]!, new RegExp(`^coilgun-sender: ${variable}: expected `), JSON.stringify(change))
  }
})

test('a valid configuration resolves with documented defaults', () => {
  const config = loadSenderConfig({ COILGUN_UPSTREAM: 'http://a:1, https://b', COILGUN_SECRET: 'a-long-enough-secret-123' })
  assert.deepEqual(config.upstreams, ['http://a:1', 'https://b'])
  assert.deepEqual(config.listen, { host: '0.0.0.0', port: 8080 })
  assert.deepEqual(config.adminListen, { host: '127.0.0.1', port: 9090 })
  assert.equal(config.cacheMaxBytes, 256 * 1024 * 1024)
  assert.deepEqual(config.codecs, ['vcdiff', 'dcz', 'dcb'])
  assert.ok(Object.isFrozen(config))
})

test('SIGTERM: the sender stops and exits 0', async () => {
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...GOOD, COILGUN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('coilgun-sender listening')) resolve() })
    child.once('exit', code => reject(new Error(`exited early with ${code}: ${out}`)))
  })
  child.kill('SIGTERM')
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  assert.equal(code, 0)
})
