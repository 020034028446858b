import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { test } from 'node:test'
import { startPair, startSender } from '../apps/sender/test/harness.ts'
import { waitFor } from '@coilgun/fixtures/waitFor'
import { hashOf, outcomeOf } from './support/faultPair.ts'
import type { AppState } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { resourceKey } from '@coilgun/core'

// Issue 8: visitors that hang up: while the sender waits for the origin, while it
// writes a large rebuilt page, and during a streamed passthrough. The sender stops
// the upstream work it no longer needs, keeps no socket open for the gone visitor,
// stores only complete verified versions, and serves the next visitor normally.

function connections (server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => err === null ? resolve(n) : reject(err)))
}

/** Opens a raw visitor connection, sends a GET, and resolves once `bytes` of the answer arrived. */
function visitor (url: string, path: string, bytes: number): { received: Promise<void>, hangUp: () => void } {
  const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n\r\n`))
  let got = 0
  const received = new Promise<void>(resolve => {
    if (bytes === 0) socket.once('connect', () => setImmediate(resolve))
    socket.on('data', (d: Buffer) => {
      got += d.length
      if (got >= bytes) {
        // Stop reading: the rest piles up in the sender's socket buffers.
        socket.pause()
        resolve()
      }
    })
  })
  socket.on('error', () => {})
  return { received, hangUp: () => socket.destroy() }
}

/** An origin whose /slow requests wait forever and /endless answers never end; records when the sender hangs up. */
async function stubbornOrigin (): Promise<{ url: string, server: Server, arrived: Promise<void>, hungUp: Promise<string>, close: () => void }> {
  let arrive!: () => void
  let hangUp!: (what: string) => void
  const arrived = new Promise<void>(resolve => { arrive = resolve })
  const hungUp = new Promise<string>(resolve => { hangUp = resolve })
  const server = createServer((req, res: ServerResponse) => {
    res.once('close', () => { if (!res.writableFinished) hangUp(req.url ?? '') })
    if (req.url === '/slow') { arrive(); return }
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    const chunk = Buffer.alloc(64 * 1024, 1)
    function more (): void { while (res.write(chunk)); }
    res.on('drain', more)
    more()
    arrive()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, arrived, hungUp, close: () => { server.closeAllConnections(); server.close() } }
}

test('a visitor gone while the origin thinks: the sender cancels the upstream request', async (t) => {
  const origin = await stubbornOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.close() })
  const v = visitor(url, '/slow', 0)
  await origin.arrived
  v.hangUp()
  assert.equal(await origin.hungUp, '/slow', 'the origin sees the sender hang up')
  await waitFor('the visitor\'s socket to close at the sender', async () => await connections(sender.app.server) === 0)
  assert.equal(sender.cache.entries, 0)
})

test('a visitor gone during a streamed passthrough: the upstream stream is destroyed too', async (t) => {
  const origin = await stubbornOrigin()
  const { sender, url } = await startSender(origin.url)
  t.after(async () => { await sender.close(); origin.close() })
  const v = visitor(url, '/endless', 256 * 1024)
  await v.received
  v.hangUp()
  assert.equal(await origin.hungUp, '/endless', 'the endless answer is not read on for nobody')
  await waitFor('the visitor\'s socket to close at the sender', async () => await connections(sender.app.server) === 0)
})

test('a visitor gone while a large rebuilt page is written: the verified version is kept, the next one is a delta', async (t) => {
  const pages = versionedPages(3)
  const page = pages[0]!
  const state: AppState = { current: new Map() }
  const pair = await startPair(pages, state)
  t.after(pair.close)
  // The page 20 times over: megabytes, more than the socket buffers hold.
  const path = `/stream/${page.name}?repeat=20`
  const whole = Buffer.concat(Array.from({ length: 20 }, () => page.versions[0]!))
  const v = visitor(pair.url, path, 64 * 1024)
  await v.received
  v.hangUp()
  await waitFor('the visitor\'s socket to close at the sender', async () => await connections(pair.sender.app.server) === 0)
  const held = pair.sender.cache.get(resourceKey(new URL(pair.url).host, path))
  assert.ok(held !== undefined && Buffer.from(held.hash).equals(hashOf(whole)), 'the complete, verified version is the base')

  state.current.set(page.name, 1)
  const next = await rawGet(pair.url + path)
  assert.ok(next.body.equals(Buffer.concat(Array.from({ length: 20 }, () => page.versions[1]!))))
  assert.equal(outcomeOf(next), 'delta')
})
