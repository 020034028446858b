import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { Agent, request } from 'undici'
import { waitFor } from '@coilgun/fixtures/waitFor'
import type { AppState } from '../../../test/support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { startAvailabilityOrigin } from './availabilityOrigin.ts'
import { startSender } from './harness.ts'

// Issue 12, items 1 and 2. 32 visitors that ask for a large download and stop
// reading held all 32 upstream connections; every other GET waited in undici's
// queue, where COILGUN_UPSTREAM_TIMEOUT_MS did not apply, for as long as they
// pleased. Downloads now hold slots of their own (COILGUN_UPSTREAM_STREAM_CONNECTIONS),
// so page GETs answer as fast as without them, and a download past those slots is
// an honest 503.

const READERS = 32
/** On the code before issue 12 the GET never answered; give up well before "never". */
const STALL_MS = 10_000

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

test(`${READERS} visitors holding large downloads unread do not delay page GETs; one more download is a 503`, async (t) => {
  const pages = versionedPages(2)
  const state: AppState = { current: new Map() }
  const origin = await startAvailabilityOrigin(pages, state)
  // The send timeout would cut the readers after 30 s; this test is about the slots.
  const { sender, url } = await startSender(origin.url, { COILGUN_VISITOR_SEND_TIMEOUT_MS: '600000' })
  const visitors = new Agent({ connections: 4 })
  const readers = new Set<Socket>()
  t.after(async () => {
    for (const s of readers) s.destroy()
    if (!visitors.closed) await visitors.close()
    await sender.close()
    await origin.close()
  })
  const page = pages[0]!

  async function timedGet (): Promise<number> {
    const start = performance.now()
    const res = await request(`${url}/page/${page.name}`, { dispatcher: visitors, signal: AbortSignal.timeout(STALL_MS) })
    const body = Buffer.from(await res.body.arrayBuffer())
    assert.equal(res.statusCode, 200)
    assert.ok(body.equals(page.versions[0]!), 'the right page')
    return performance.now() - start
  }
  for (let i = 0; i < 3; i++) await timedGet()
  const unloaded: number[] = []
  for (let i = 0; i < 9; i++) unloaded.push(await timedGet())

  const port = Number(new URL(url).port)
  for (let i = 0; i < READERS; i++) {
    const socket = connect(port, '127.0.0.1', () => { socket.write(`GET /download?mib=1024&r=${i} HTTP/1.1\r\nHost: a\r\n\r\n`) })
    socket.on('error', () => {})
    // Reads nothing at all: the answer backs up into the socket buffers and the sender.
    socket.pause()
    readers.add(socket)
  }
  await waitFor(`${READERS} downloads held open at the origin`, () => origin.downloadsOpen() >= READERS)
  // Long enough for every buffer between origin and reader to fill up.
  await new Promise(resolve => setTimeout(resolve, 1000))

  const loaded: number[] = []
  for (let i = 0; i < 9; i++) loaded.push(await timedGet())
  const ratio = median(loaded) / median(unloaded)
  t.diagnostic(`page GET median ${median(unloaded).toFixed(1)} ms unloaded, ${median(loaded).toFixed(1)} ms next to ${READERS} stalled downloads (x${ratio.toFixed(2)})`)
  // A generous bound, far below the stall (which lasted as long as the readers did).
  assert.ok(median(loaded) <= Math.max(20 * median(unloaded), 250), `loaded median ${median(loaded)} ms vs unloaded ${median(unloaded)} ms`)

  // Every download slot is held: one more download is refused at once, honestly.
  const extra = await request(`${url}/download?mib=1024&r=extra`, { dispatcher: visitors, signal: AbortSignal.timeout(STALL_MS) })
  await extra.body.dump()
  assert.equal(extra.statusCode, 503)
  assert.equal(extra.headers['retry-after'], '1')
  assert.equal(extra.headers['cache-control'], 'no-store')
  await waitFor('the refused download to be closed at the origin', () => origin.downloadsOpen() === READERS)

  // The readers leave: their upstream downloads are closed, no socket is left.
  for (const s of readers) s.destroy()
  await waitFor('every download closed at the origin', () => origin.downloadsOpen() === 0)
  await visitors.close()
  await waitFor('every visitor connection gone', () => new Promise<boolean>(resolve => sender.app.server.getConnections((_e, n) => resolve(n === 0))))
})
