import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MockAgent } from 'undici'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener } from './harness.ts'

// Issue 14 (item 3): the listener's transport is injectable like the sender's. Every
// request to an origin of the host map goes through the given dispatcher, which here
// is an undici MockAgent with no network behind it: the answers can only come from it.

test('requests to every origin of the host map go through an injected dispatcher', async (t) => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  agent.get('http://a.invalid:8080').intercept({ path: '/hello' }).reply(200, 'from a', { headers: { 'content-type': 'text/plain' } })
  agent.get('http://b.invalid:8080').intercept({ path: '/hello' }).reply(200, 'from b', { headers: { 'content-type': 'text/plain' } })
  const { listener, url } = await startListener({ COILGUN_ORIGINS: 'a.test=http://a.invalid:8080,default=http://b.invalid:8080' }, { dispatcher: agent })
  t.after(async () => { await listener.close(); await agent.close() })
  const a = await rawGet(`${url}/hello`, { host: 'a.test' })
  const other = await rawGet(`${url}/hello`, { host: 'elsewhere.test' })
  assert.deepEqual([a.status, a.body.toString(), other.status, other.body.toString()], [200, 'from a', 200, 'from b'])
  agent.assertNoPendingInterceptors()
})
