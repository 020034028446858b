import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CONFIG_VARIABLES } from '@coilgun/service'
import { loadListenerConfig } from '@coilgun/listener'
import { holdPort, runMain, runUntilExit } from '../../../test/support/cliRun.ts'

// Issue 16, the listener's side: --help/--version/--check, conflicting variables
// refused, a busy port in one line.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const SECRET = 'a-long-enough-secret-123'
const GOOD = { COILGUN_ORIGIN: 'http://127.0.0.1:9', COILGUN_SECRET: SECRET, COILGUN_ADMIN_LISTEN: 'off', COILGUN_LISTEN: '127.0.0.1:0' }

test('--help lists every listener variable; -v prints the version', () => {
  const help = runMain(main, ['-h'], {})
  assert.equal(help.status, 0, help.stderr)
  for (const v of CONFIG_VARIABLES.filter(v => v.apps.includes('listener'))) assert.ok(help.stdout.includes(v.name), v.name)
  assert.doesNotMatch(help.stdout, /COILGUN_UPSTREAM_CONNECTIONS/)
  const version = runMain(main, ['-v'], {})
  assert.match(version.stdout, /^coilgun-listener \d+\.\d+\.\d+/)
})

test('--check hides the secret and the password in a Redis URL; an invalid configuration exits 1', () => {
  const ok = runMain(main, ['--check'], { ...GOOD, COILGUN_REDIS_URL: 'redis://user:hunter2-password@127.0.0.1:6379/0', COILGUN_STORE_MAX_BYTES: '1GiB' })
  assert.equal(ok.status, 0, ok.stderr)
  assert.ok(!ok.stdout.includes(SECRET) && !ok.stdout.includes('hunter2'), ok.stdout)
  const config = JSON.parse(ok.stdout) as { storeMaxBytes: number, origins: Record<string, string> }
  assert.equal(config.storeMaxBytes, 1024 ** 3)
  assert.deepEqual(config.origins, { default: 'http://127.0.0.1:9' })
  const bad = runMain(main, ['--check'], { ...GOOD, COILGUN_ORIGIN: 'ftp://x' })
  assert.equal(bad.status, 1)
  assert.match(bad.stderr.trim(), /^coilgun-listener: COILGUN_ORIGIN: expected/)
})

test('COILGUN_ORIGIN and COILGUN_ORIGINS together are an error, not one silently dropped', () => {
  assert.throws(() => loadListenerConfig({ ...GOOD, COILGUN_ORIGINS: 'a.test=http://127.0.0.1:1' }), (err: Error & { code: string, variable: string }) =>
    err.code === 'COILGUN_ERR_INVALID_CONFIG' && err.variable === 'COILGUN_ORIGINS' && err.message.includes('to be unset when COILGUN_ORIGIN is set'))
})

test('a busy port is one line and exit 1', async t => {
  const { server, port } = await holdPort()
  t.after(() => server.close())
  const r = await runUntilExit(main, { ...GOOD, COILGUN_LISTEN: `127.0.0.1:${port}` })
  assert.equal(r.status, 1)
  assert.match(r.stderr.trim(), new RegExp(`^coilgun-listener: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`))
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
})
