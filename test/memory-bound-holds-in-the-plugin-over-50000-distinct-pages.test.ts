import { test } from 'node:test'
import { assertGrowthWithinBounds, MiB } from './support/boundedMemory.ts'

// Issue 12, item 2: see support/boundedMemory.ts for the measure, its peer and its allowance.

test('the plugin stays within its store, full-body and delta-memo bounds over 50,000 distinct small pages', async () => {
  await assertGrowthWithinBounds('plugin', true, 8 * MiB, function pluginRun (bound) {
    return { args: ['--role', 'plugin', '--bound', `store=${bound}`, '--bound', `full=${bound}`, '--bound', `memo=${bound}`], boundsBytes: 3 * bound }
  })
})
