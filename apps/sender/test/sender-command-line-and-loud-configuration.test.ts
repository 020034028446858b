import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadCodecs } from '@coilgun/core'
import { CONFIG_VARIABLES } from '@coilgun/service'
import { loadSenderConfig } from '@coilgun/sender'
import { holdPort, runMain, runUntilExit } from '../../../test/support/cliRun.ts'

// Issue 16: --help/--version/-h/-v printed the missing-variable error; there was no
// way to check a configuration without starting; a misspelt variable, a codec this
// Node cannot run and a busy port were silent or a stack trace.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const SECRET = 'a-long-enough-secret-123'
const GOOD = { COILGUN_UPSTREAM: 'http://127.0.0.1:9', COILGUN_SECRET: SECRET, COILGUN_ADMIN_LISTEN: 'off', COILGUN_LISTEN: '127.0.0.1:0' }

test('--help and -h list every sender variable with its default, without any configuration', () => {
  for (const flag of ['--help', '-h']) {
    const r = runMain(main, [flag], {})
    assert.equal(r.status, 0, r.stderr)
    for (const v of CONFIG_VARIABLES.filter(v => v.apps.includes('sender'))) {
      assert.ok(r.stdout.includes(v.name), `${flag} lists ${v.name}`)
    }
    assert.match(r.stdout, /COILGUN_CACHE_MAX_BYTES .*\n\s+default: 256MiB/)
    assert.doesNotMatch(r.stdout, /COILGUN_ORIGINS_FILE/, 'listener-only variables are not listed')
  }
})

test('--version and -v print the package version', () => {
  for (const flag of ['--version', '-v']) {
    const r = runMain(main, [flag], {})
    assert.equal(r.status, 0)
    assert.match(r.stdout, /^coilgun-sender \d+\.\d+\.\d+ \(Node v\d+/)
  }
})

test('--check prints the resolved configuration without secrets and exits 0; an invalid one exits 1 with one line', () => {
  const ok = runMain(main, ['--check'], { ...GOOD, COILGUN_CACHE_MAX_BYTES: '64MiB', COILGUN_UPSTREAM_TIMEOUT_MS: '2m' })
  assert.equal(ok.status, 0, ok.stderr)
  const config = JSON.parse(ok.stdout) as Record<string, unknown>
  assert.equal(config.cacheMaxBytes, 64 * 1024 * 1024)
  assert.equal(config.upstreamTimeoutMs, 120_000)
  assert.equal(config.secret, '(hidden)')
  assert.ok(!ok.stdout.includes(SECRET), 'the secret is never printed')

  const bad = runMain(main, ['--check'], { ...GOOD, COILGUN_UPSTREAM_TIMEOUT_MS: 'soon' })
  assert.equal(bad.status, 1)
  assert.equal(bad.stdout, '')
  assert.match(bad.stderr.trim(), /^coilgun-sender: COILGUN_UPSTREAM_TIMEOUT_MS: expected a duration/)
  assert.equal(bad.stderr.trim().split('\n').length, 1)

  const unknownFlag = runMain(main, ['--chek'], GOOD)
  assert.equal(unknownFlag.status, 1)
  assert.match(unknownFlag.stderr, /unknown option "--chek"/)
})

test('a misspelt COILGUN_ variable is a warning naming the closest known one', () => {
  const r = runMain(main, ['--check'], { ...GOOD, COILGUN_CACHE_MAX_BYTE: '5' })
  assert.equal(r.status, 0)
  assert.match(r.stderr, /COILGUN_CACHE_MAX_BYTE is not a Coilgun variable \(ignored\); did you mean COILGUN_CACHE_MAX_BYTES\?/)
})

test('sizes and durations accept units besides plain numbers', () => {
  const config = loadSenderConfig({ ...GOOD, COILGUN_CACHE_MAX_BYTES: '256MiB', COILGUN_MAX_BODY_BYTES: '512KB', COILGUN_CONNECT_TIMEOUT_MS: '1.5s', COILGUN_SHUTDOWN_TIMEOUT_MS: '2000', COILGUN_HEALTH_CHECK_INTERVAL_MS: '1m' })
  assert.equal(config.cacheMaxBytes, 268_435_456)
  assert.equal(config.maxBodyBytes, 512_000)
  assert.equal(config.connectTimeoutMs, 1500)
  assert.equal(config.shutdownTimeoutMs, 2000)
  assert.equal(config.healthCheck.intervalMs, 60_000)
  assert.throws(() => loadSenderConfig({ ...GOOD, COILGUN_CACHE_MAX_BYTES: '10 parsecs' }), { code: 'COILGUN_ERR_INVALID_CONFIG', variable: 'COILGUN_CACHE_MAX_BYTES' })
})

test('a busy port is one line and exit 1, not a stack trace', async t => {
  const { server, port } = await holdPort()
  t.after(() => server.close())
  const r = await runUntilExit(main, { ...GOOD, COILGUN_LISTEN: `127.0.0.1:${port}` })
  assert.equal(r.status, 1)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`coilgun-sender: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`))
})

test('no codec this Node can run is an error at start', async t => {
  const unavailable = [...(await loadCodecs()).values()].filter(c => !c.available).map(c => c.name)
  if (unavailable.length === 0) { t.skip(`every codec runs on Node ${process.version}`); return }
  const r = await runUntilExit(main, { ...GOOD, COILGUN_CODECS: unavailable.join(',') })
  assert.equal(r.status, 1)
  assert.match(r.stderr.trim(), /^coilgun-sender: COILGUN_CODECS: expected at least one codec this Node/)
  assert.equal(r.stderr.trim().split('\n').length, 1)
})
