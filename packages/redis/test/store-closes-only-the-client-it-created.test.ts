import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { Redis } from 'ioredis'
import { sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { RedisServer, skipWithoutRedis } from '@coilgun/fixtures/redisServer'
import { waitFor } from '@coilgun/fixtures/waitFor'

// STYLE rule 5: what creates a client closes it; an injected client is used, never
// closed, and left without the store's listeners.

async function clientCount (server: RedisServer): Promise<number> {
  const list = String(await server.command('CLIENT', 'LIST'))
  return list.split('\n').filter(line => line.includes('name=coilgun ')).length
}

test('close() closes the connection the store opened', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const logger = capturingLogger()
  const store = createRedisVersionStore({ url: server.url, logger })
  assert.ok(await store.ready())
  assert.equal(await clientCount(server), 1)
  await store.close()
  await waitFor('the connection to close', async () => await clientCount(server) === 0)
  assert.equal(await store.getVersion('0'.repeat(64)), undefined, 'a closed store answers "unknown"')
  assert.equal(logger.count(/unavailable/), 0, 'closing is not an outage')
})

test('an injected client is used and left open, without the store\'s listeners', skipWithoutRedis(), async (t) => {
  const server = await RedisServer.start()
  t.after(() => server.stop())
  const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
  t.after(() => client.disconnect())
  await waitFor('the injected client to connect', () => client.status === 'ready')
  const listeners = ['ready', 'close', 'error'].map(e => client.listenerCount(e))
  const store = createRedisVersionStore({ client, logger: capturingLogger(), commandTimeoutMs: 2000 })
  assert.equal(store.stats().healthy, true, 'an already connected client is healthy at once')
  const body = randomBytes(1000)
  const id = versionId(sha256(body))
  await store.putVersion(id, body)
  assert.equal(await client.exists(`coilgun:v:${id}`), 1, 'written through the injected client')
  await store.close()
  assert.equal(client.status, 'ready')
  assert.equal(await client.ping(), 'PONG', 'still usable by its owner')
  assert.deepEqual(['ready', 'close', 'error'].map(e => client.listenerCount(e)), listeners)
})
