import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { assertGrowthWithinBounds, MiB } from './support/boundedMemory.ts'
import { churnPage } from './support/churnPages.ts'

// Issue 12, item 2: see support/boundedMemory.ts for the measure, its peer and its allowance.

test('the listener stays within its store, full-body and delta-memo bounds over 50,000 distinct small pages', async (t) => {
  const origin = createServer(function churnOrigin (req, res) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(churnPage(req.url ?? '/'))
  })
  t.after(() => new Promise<void>(resolve => origin.close(() => resolve())))
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const upstream = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`
  // COILGUN_STORE_MAX_BYTES plus the origin defaults the listener keeps: 16 MiB of
  // compressed full bodies and 8 MiB of memoized deltas, the same in the peer (the
  // plugin's test bounds those two caches of core).
  await assertGrowthWithinBounds('listener', true, 8 * MiB, function listenerRun (store) {
    return { args: ['--role', 'listener', '--upstream', upstream, '--bound', `store=${store}`], boundsBytes: store + 16 * MiB + 8 * MiB }
  })
})
