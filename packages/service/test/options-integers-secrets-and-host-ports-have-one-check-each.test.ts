import assert from 'node:assert/strict'
import { test } from 'node:test'
import { integerOption, isSecretSyntax, MemoryVersionStore, resolveEligibility, splitHostPort, validateSecret } from '@coilgun/core'
import { parseHostPort } from '../src/index.ts'

// Issue 14: one integer-option check, one secret syntax and one host:port parser,
// shared by core's options, its store, the apps' environment and @coilgun/redis.

test('an integer option outside its range is a coded error naming the option and the range', () => {
  assert.equal(integerOption('n', 5, 0), 5)
  assert.equal(integerOption('n', 65535, 1, 65535), 65535)
  assert.throws(() => integerOption('n', -1, 0), { code: 'COILGUN_ERR_INVALID_OPTION', message: /n: expected an integer >= 0, got -1/ })
  assert.throws(() => integerOption('port', 70000, 1, 65535), { code: 'COILGUN_ERR_INVALID_OPTION', message: /port: expected an integer from 1 to 65535, got 70000/ })
  for (const bad of [1.5, NaN, '3', 2 ** 60, undefined]) assert.throws(() => integerOption('n', bad, 0), { code: 'COILGUN_ERR_INVALID_OPTION' })
})

test('the store and the eligibility policy use it', () => {
  assert.throws(() => new MemoryVersionStore({ maxBytes: 10 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /maxBytes: expected an integer >= 1024, got 10/ })
  assert.throws(() => resolveEligibility({ maxBodyBytes: 0 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /maxBodyBytes: expected an integer >= 1, got 0/ })
})

test('a secret is at least 16 visible ASCII characters, for options and environment alike', () => {
  assert.equal(isSecretSyntax('a'.repeat(16)), true)
  assert.equal(isSecretSyntax('a'.repeat(15)), false)
  assert.equal(isSecretSyntax(`${'a'.repeat(16)} b`), false, 'a space cannot travel unquoted in a header')
  assert.equal(isSecretSyntax(`${'a'.repeat(16)}é`), false)
  assert.throws(() => validateSecret('secret', `${'a'.repeat(16)}\t`), { code: 'COILGUN_ERR_INVALID_OPTION', message: /visible ASCII/ })
})

test('host:port, [v6]:port and :port parse; anything else is refused', () => {
  assert.deepEqual(splitHostPort('10.0.0.5:6379'), { host: '10.0.0.5', port: 6379 })
  assert.deepEqual(splitHostPort(' [::1]:7000 '), { host: '::1', port: 7000 })
  assert.deepEqual(splitHostPort(':8080'), { host: '', port: 8080 })
  for (const bad of ['example.com', 'a:70000', 'user@host:6379', 'host/path:1', 'a b:1', '[zz]:1', 'a:b:1']) assert.equal(splitHostPort(bad), undefined, bad)
  assert.deepEqual(parseHostPort('COILGUN_LISTEN', ':8080'), { host: '0.0.0.0', port: 8080 }, 'an empty listen host is every IPv4 address')
  assert.throws(() => parseHostPort('COILGUN_LISTEN', 'nope'), { code: 'COILGUN_ERR_INVALID_CONFIG' })
})
