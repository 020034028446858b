import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRedisVersionStore, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_LRU_MAX_BYTES, DEFAULT_PREFIX, DEFAULT_TTL_SECONDS, REDIS_ENV_VARIABLES, redisStoreOptionsFromEnv, resolveRedisStoreOptions } from '@coilgun/redis'
import type { RedisVersionStoreOptions } from '@coilgun/redis'

// STYLE rules 3 and 4: options are checked once at creation with a coded error
// naming the option; environment values with a one-line message naming the
// variable and the expected form (and never echoing a password).

const URL = 'redis://127.0.0.1:6399'

const BAD_OPTIONS: Array<{ options: RedisVersionStoreOptions, names: RegExp }> = [
  { options: {}, names: /url\/cluster\/client/ },
  { options: { url: URL, cluster: ['127.0.0.1:7000'] }, names: /url and cluster/ },
  { options: { url: 'http://127.0.0.1:6379' }, names: /\burl\b/ },
  { options: { url: 'redis://:hunter2secret@' }, names: /\burl\b/ },
  { options: { cluster: [] }, names: /cluster/ },
  { options: { cluster: ['127.0.0.1'] }, names: /cluster\[0\]/ },
  { options: { cluster: ['127.0.0.1:99999'] }, names: /cluster\[0\]/ },
  { options: { client: {} as never }, names: /client/ },
  { options: { url: URL, ttlSeconds: 0 }, names: /ttlSeconds/ },
  { options: { url: URL, ttlSeconds: 1.5 }, names: /ttlSeconds/ },
  { options: { url: URL, maxVersionBytes: 0 }, names: /maxVersionBytes/ },
  { options: { url: URL, lruMaxBytes: -1 }, names: /lruMaxBytes/ },
  { options: { url: URL, commandTimeoutMs: 0 }, names: /commandTimeoutMs/ },
  { options: { url: URL, reconnectMaxDelayMs: 1 }, names: /reconnectMaxDelayMs/ },
  { options: { url: URL, prefix: 7 as never }, names: /prefix/ },
  { options: { url: URL, logger: {} as never }, names: /logger/ }
]

for (const { options, names } of BAD_OPTIONS) {
  test(`invalid options are refused at creation: ${JSON.stringify(options)}`, () => {
    assert.throws(() => createRedisVersionStore(options), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'COILGUN_ERR_INVALID_OPTION')
      assert.match(err.message, names)
      assert.doesNotMatch(err.message, /hunter2/, 'credentials are not repeated')
      return true
    })
  })
}

test('options resolve once into a frozen object with the documented defaults', () => {
  const resolved = resolveRedisStoreOptions({ url: URL })
  assert.ok(Object.isFrozen(resolved))
  assert.equal(resolved.prefix, DEFAULT_PREFIX)
  assert.equal(resolved.ttlSeconds, DEFAULT_TTL_SECONDS)
  assert.equal(resolved.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS)
  assert.equal(resolved.lruMaxBytes, DEFAULT_LRU_MAX_BYTES)
  assert.deepEqual(resolved.target, { kind: 'url', url: URL })
  assert.deepEqual(resolveRedisStoreOptions({ cluster: ['10.0.0.1:7000', { host: 'redis-b', port: 7001 }, '[::1]:7002'] }).target, {
    kind: 'cluster',
    nodes: [{ host: '10.0.0.1', port: 7000 }, { host: 'redis-b', port: 7001 }, { host: '::1', port: 7002 }]
  })
})

test('without COILGUN_REDIS_URL or COILGUN_REDIS_CLUSTER there is no Redis store', () => {
  assert.equal(redisStoreOptionsFromEnv({}), undefined)
  assert.equal(redisStoreOptionsFromEnv({ COILGUN_REDIS_URL: '  ', COILGUN_REDIS_TTL_SECONDS: '60' }), undefined)
})

test('COILGUN_REDIS_* variables become store options', () => {
  assert.deepEqual(redisStoreOptionsFromEnv({
    COILGUN_REDIS_URL: 'rediss://user:pw@redis.internal:6380/2',
    COILGUN_REDIS_PREFIX: 'shop:',
    COILGUN_REDIS_TTL_SECONDS: '3600',
    COILGUN_REDIS_TIMEOUT_MS: '30',
    COILGUN_REDIS_MAX_VERSION_BYTES: '1048576',
    COILGUN_REDIS_LRU_MAX_BYTES: '0',
    COILGUN_PRIVATE_TTL_SECONDS: '120'
  }), { url: 'rediss://user:pw@redis.internal:6380/2', prefix: 'shop:', ttlSeconds: 3600, privateTtlSeconds: 120, commandTimeoutMs: 30, maxVersionBytes: 1048576, lruMaxBytes: 0 })
  const cluster = redisStoreOptionsFromEnv({ COILGUN_REDIS_CLUSTER: '10.0.0.1:7000, 10.0.0.2:7000,' })
  assert.deepEqual(cluster?.cluster, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }])
  assert.equal(cluster?.ttlSeconds, DEFAULT_TTL_SECONDS)
  // What the env helper returns is accepted by the store.
  assert.doesNotThrow(() => resolveRedisStoreOptions(cluster!))
})

const BAD_ENV: Array<{ env: Record<string, string>, variable: string, form: RegExp }> = [
  { env: { COILGUN_REDIS_URL: 'localhost:6379' }, variable: 'COILGUN_REDIS_URL', form: /redis:\/\// },
  { env: { COILGUN_REDIS_URL: 'redis://admin:hunter2@' }, variable: 'COILGUN_REDIS_URL', form: /redis:\/\// },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_CLUSTER: '10.0.0.1:7000' }, variable: 'COILGUN_REDIS_CLUSTER', form: /unset when COILGUN_REDIS_URL/ },
  { env: { COILGUN_REDIS_CLUSTER: '10.0.0.1' }, variable: 'COILGUN_REDIS_CLUSTER', form: /host:port/ },
  { env: { COILGUN_REDIS_CLUSTER: ',,' }, variable: 'COILGUN_REDIS_CLUSTER', form: /host:port/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_PREFIX: '{tag}:' }, variable: 'COILGUN_REDIS_PREFIX', form: /without \{ or \}/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_PREFIX: 'has space' }, variable: 'COILGUN_REDIS_PREFIX', form: /visible ASCII/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_TTL_SECONDS: '1d' }, variable: 'COILGUN_REDIS_TTL_SECONDS', form: /integer/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_TTL_SECONDS: '0' }, variable: 'COILGUN_REDIS_TTL_SECONDS', form: /integer from 1/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_TIMEOUT_MS: '50ms' }, variable: 'COILGUN_REDIS_TIMEOUT_MS', form: /integer/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_MAX_VERSION_BYTES: '-5' }, variable: 'COILGUN_REDIS_MAX_VERSION_BYTES', form: /integer/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_REDIS_LRU_MAX_BYTES: 'lots' }, variable: 'COILGUN_REDIS_LRU_MAX_BYTES', form: /integer/ },
  { env: { COILGUN_REDIS_URL: URL, COILGUN_PRIVATE_TTL_SECONDS: '0' }, variable: 'COILGUN_PRIVATE_TTL_SECONDS', form: /integer from 1/ }
]

for (const { env, variable, form } of BAD_ENV) {
  test(`a bad ${variable} stops start-up with one line naming it: ${JSON.stringify(env)}`, () => {
    assert.throws(() => redisStoreOptionsFromEnv(env), (err: Error & { code?: string, variable?: string }) => {
      assert.equal(err.code, 'COILGUN_ERR_INVALID_CONFIG')
      assert.equal(err.variable, variable)
      assert.ok(err.message.startsWith(`${variable}: expected `), err.message)
      assert.match(err.message, form)
      assert.doesNotMatch(err.message, /\n/, 'one line')
      assert.doesNotMatch(err.message, /hunter2/, 'the password is not printed')
      return true
    })
  })
}

test('every variable read is listed in REDIS_ENV_VARIABLES', () => {
  const read = new Set<string>()
  const env = new Proxy({ COILGUN_REDIS_URL: URL } as Record<string, string | undefined>, {
    get (target, name: string) { read.add(name); return target[name] }
  })
  redisStoreOptionsFromEnv(env)
  assert.deepEqual([...read].sort(), [...REDIS_ENV_VARIABLES].sort())
})
