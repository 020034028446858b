import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sha256, versionId } from '@coilgun/core'
import { createRedisVersionStore } from '@coilgun/redis'
import { capturingLogger } from './capturingLogger.ts'
import { skipWithoutRedis, startRedisCluster } from '@coilgun/fixtures/redisServer'

// Issue 6: the store works on Redis Cluster. Each command touches one key, so
// versions and pointers spread over every node (no hash tag forces them into one
// slot) and nothing fails with CROSSSLOT.

test('versions and pointers spread over a 3-node Redis Cluster and are read back', skipWithoutRedis(), async (t) => {
  const cluster = await startRedisCluster(3)
  t.after(cluster.stop)
  const seeds = [`127.0.0.1:${cluster.nodes[0]!.port}`]
  const writer = createRedisVersionStore({ cluster: seeds, logger: capturingLogger(), commandTimeoutMs: 2000 })
  const reader = createRedisVersionStore({ cluster: seeds, logger: capturingLogger(), commandTimeoutMs: 2000, lruMaxBytes: 0 })
  t.after(() => Promise.all([writer.close(), reader.close()]))
  assert.ok(await writer.ready(10_000) && await reader.ready(10_000), 'connected to the cluster')

  const versions = Array.from({ length: 30 }, (_, i) => {
    const body = randomBytes(2000 + i)
    return { id: versionId(sha256(body)), body, resource: `example.com/page/${i}` }
  })
  for (const v of versions) {
    await writer.putVersion(v.id, v.body)
    await writer.setLatest(v.resource, v.id)
  }
  assert.equal(writer.stats().errors, 0)
  assert.equal(writer.stats().writes, 60)

  for (const v of versions) {
    const read = await reader.getVersion(v.id)
    assert.ok(read !== undefined && Buffer.from(read).equals(v.body), `version of ${v.resource}`)
    assert.equal(await reader.getLatest(v.resource), v.id)
  }
  assert.equal(reader.stats().errors, 0)
  const perNode = await Promise.all(cluster.nodes.map(async n => Number(await n.command('DBSIZE'))))
  assert.equal(perNode.reduce((a, b) => a + b, 0), 60)
  assert.ok(perNode.every(n => n > 0), `keys on every node: ${perNode.join(', ')}`)
})
