import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { startSender } from './harness.ts'

// Issue 16: request counters carry the status class of the answer the visitor got,
// and every request is counted once (in the onResponse hook), whatever path it took.

test('a 404 passthrough, a 502 and a refused request are counted once each with their status class', async t => {
  const origin = createServer((req, res) => { res.statusCode = req.url === '/missing' ? 404 : 200; res.end('x') })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { sender, url } = await startSender(`http://127.0.0.1:${(origin.address() as AddressInfo).port}`)
  t.after(async () => { await sender.close(); origin.close() })

  assert.equal((await fetch(`${url}/missing`)).status, 404)
  const text = await sender.metrics.registry.getSingleMetricAsString('coilgun_requests_total')
  assert.match(text, /coilgun_requests_total\{outcome="passthrough",status_class="4xx"\} 1/)
  const total = [...text.matchAll(/\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
  assert.equal(total, 1)

  origin.closeAllConnections()
  await new Promise(resolve => origin.close(resolve))
  assert.equal((await fetch(`${url}/gone`)).status, 502)
  assert.match(await sender.metrics.registry.getSingleMetricAsString('coilgun_requests_total'), /coilgun_requests_total\{outcome="error",status_class="5xx"\} 1/)
})
