import { test } from 'node:test'
import { assertGrowthWithinBounds, MiB, startChild } from './support/boundedMemory.ts'

// Issue 12, item 2: see support/boundedMemory.ts for the measure and its allowance.

test('the plugin stays within its store, full-body and delta-memo bounds over 50,000 distinct small pages', async (t) => {
  const bound = 8 * MiB
  const child = await startChild(['--role', 'plugin', '--bound', `store=${bound}`, '--bound', `full=${bound}`, '--bound', `memo=${bound}`])
  t.after(() => child.stop())
  await assertGrowthWithinBounds(child, true, 3 * bound, 'plugin')
})
