import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { assertGrowthWithinBounds, MiB } from './support/boundedMemory.ts'
import { buildChurnApp } from './support/churnPages.ts'

// Issue 12, item 2: see support/boundedMemory.ts for the measure, its peer and its allowance.

test('the sender stays within its cache bounds over 50,000 distinct small pages', async (t) => {
  const origin = await buildChurnApp({})
  t.after(() => origin.close())
  await origin.listen({ host: '127.0.0.1', port: 0 })
  const upstream = `http://127.0.0.1:${(origin.server.address() as AddressInfo).port}`
  // COILGUN_CACHE_MAX_BYTES, plus the visitor-compression cache the sender sizes at a quarter of it.
  await assertGrowthWithinBounds('sender', false, 16 * MiB, function senderRun (cache) {
    return { args: ['--role', 'sender', '--upstream', upstream, '--bound', `cache=${cache}`], boundsBytes: cache + cache / 4 }
  })
})
