import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { test } from 'node:test'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import { request } from 'undici'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { SECRET } from '../../../test/support/originConformance.ts'

// Issue 12, item 5, on the listener: a sender that hangs up (its visitor left, or
// its own deadline passed) stops the origin request, and is counted as such, not
// as an origin error logged at warn level.

const HANG_UPS = 5

async function total (counter: { get (): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0)
}

test(`${HANG_UPS} sender hang-ups are sender aborts, not origin errors`, async (t) => {
  let arrived = 0
  const origin = createServer((_req, res) => {
    arrived++
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late\n'), 3000)
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', () => resolve()))
  const originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`
  const listener = await buildListener(loadListenerConfig({ COILGUN_ORIGIN: originUrl, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off' }), { logger: false })
  const url = await listener.listen()
  t.after(async () => { await listener.close(); origin.close() })

  const hangUp = new AbortController()
  const hangUps = Promise.all(Array.from({ length: HANG_UPS }, async (_, i) => {
    await assert.rejects(request(`${url}/slow/${i}`, { headers: { 'coilgun-secret': SECRET }, signal: hangUp.signal }))
  }))
  // Hang up once the origin has every request, not on a timer that a stalled run
  // could fire before the requests were sent.
  await waitFor('every request to reach the origin', () => arrived >= HANG_UPS)
  hangUp.abort()
  await hangUps
  await waitFor('every hang-up counted', async () => await total(listener.metrics.senderAborts) === HANG_UPS)
  assert.equal(await total(listener.metrics.originErrors), 0)
})
