import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { SECRET } from './harness.ts'

// Issue 13: a listener whose Redis needs a password it lacks logged only "the
// connection to Redis closed". Its log now names the reason (authentication) and
// carries Redis's own error, once, however often the reconnects fail.

test('a listener without the Redis password logs the authentication failure once', skipWithoutRedis(), async (t) => {
  const redis = await RedisServer.start({ args: ['--requirepass', 'right-password-0123456789'] })
  t.after(() => redis.stop())
  const lines: Array<{ level: number, msg: string, reason?: string, err?: { message?: string } }> = []
  const config = loadListenerConfig({ COILGUN_SECRET: SECRET, COILGUN_ORIGIN: 'http://127.0.0.1:9', COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_REDIS_URL: redis.url })
  const listener = await buildListener(config, { logger: { level: 'info', stream: { write (line: string) { lines.push(JSON.parse(line) as typeof lines[number]) } } } })
  t.after(() => listener.close())
  await listener.listen()
  const redisLines = (): typeof lines => lines.filter(l => /Redis/.test(l.msg))
  await waitFor('the Redis failure to be logged', () => redisLines().length > 0)
  await new Promise(resolve => setTimeout(resolve, 1500))
  const logged = redisLines()
  assert.equal(logged.length, 1, JSON.stringify(logged.map(l => l.msg)))
  assert.equal(logged[0]!.reason, 'authentication')
  assert.match(logged[0]!.msg, /Redis unavailable \(authentication\)/)
  assert.match(String(logged[0]!.err?.message), /NOAUTH/)
})
