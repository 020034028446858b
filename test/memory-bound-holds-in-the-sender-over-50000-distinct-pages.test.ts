import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { assertGrowthWithinBounds, MiB, startChild } from './support/boundedMemory.ts'
import { buildChurnApp } from './support/churnPages.ts'

// Issue 12, item 2: see support/boundedMemory.ts for the measure and its allowance.

test('the sender stays within its cache bounds over 50,000 distinct small pages', async (t) => {
  const origin = await buildChurnApp({})
  t.after(() => origin.close())
  await origin.listen({ host: '127.0.0.1', port: 0 })
  const cache = 16 * MiB
  const child = await startChild(['--role', 'sender', '--upstream', `http://127.0.0.1:${(origin.server.address() as AddressInfo).port}`, '--bound', `cache=${cache}`])
  t.after(() => child.stop())
  // COILGUN_CACHE_MAX_BYTES, plus the visitor-compression cache the sender sizes at a quarter of it.
  await assertGrowthWithinBounds(child, false, cache + cache / 4, 'sender')
})
