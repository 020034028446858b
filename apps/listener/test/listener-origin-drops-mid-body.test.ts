import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener, startSender } from './harness.ts'

// Issue 5: an origin that drops the connection mid-body: the sender sees a failed
// response (502), no truncated version is stored or served as complete, and the
// next good answer is correct.

test('origin closing mid-body: 502, nothing truncated stored or served', async (t) => {
  const page = versionedPages(3)[0]!
  let mode: 'good' | 'truncate' = 'good'
  let index = 0
  const origin = createServer((req, res) => {
    const body = page.versions[index]!
    res.writeHead(200, { 'content-type': page.contentType, 'content-length': body.length })
    if (mode === 'truncate') {
      res.write(body.subarray(0, body.length >> 1))
      setTimeout(() => res.socket?.destroy(), 20)
      return
    }
    res.end(body)
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` })
  const { sender, url } = await startSender(listenerUrl)
  t.after(async () => { await sender.close(); await listener.close(); origin.closeAllConnections(); origin.close() })

  const first = await rawGet(`${url}/p`)
  assert.ok(first.body.equals(page.versions[0]!))
  mode = 'truncate'
  index = 1
  for (let i = 0; i < 3; i++) {
    const broken = await rawGet(`${url}/p`)
    assert.equal(broken.status, 502, 'a truncated origin answer is an honest 502')
    assert.ok(!broken.body.equals(page.versions[1]!))
  }
  mode = 'good'
  const next = await rawGet(`${url}/p`)
  assert.equal(next.status, 200)
  assert.ok(next.body.equals(page.versions[1]!), 'the complete version arrives once the origin is sound')
  // Delta against the version the sender held before, not against a truncated one.
  assert.match(String(next.headers.coilgun), /^delta/)
})

test('visitor passthrough of a truncated non-Coilgun answer is aborted, not completed', async (t) => {
  const origin = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 100_000 })
    res.write(Buffer.alloc(30_000, 1))
    setTimeout(() => res.socket?.destroy(), 20)
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` })
  const { sender, url } = await startSender(listenerUrl)
  t.after(async () => { await sender.close(); await listener.close(); origin.closeAllConnections(); origin.close() })
  await assert.rejects(rawGet(`${url}/bin`), 'the visitor sees a broken response, never a short one presented as complete')
})
