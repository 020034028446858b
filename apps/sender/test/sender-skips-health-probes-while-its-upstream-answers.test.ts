import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { request } from 'undici'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import type { AppState } from '../../../test/support/originConformance.ts'
import { startSender } from './harness.ts'

// Issue 17: while visitors' requests get answers from an upstream, the sender's
// health probes (a new connection each) mostly stay off the link. Connections are
// counted in a TCP relay in front of the origin: pooled connections for the requests,
// plus one per probe.

// A probe is skipped only if an answer came within the last interval: the interval is
// long against one visitor request even on a loaded machine (everything here shares
// one process), so a slow request cannot let a probe through.
const INTERVAL_MS = 1000
const WINDOW_MS = INTERVAL_MS * 6

async function countingRelay (port: number): Promise<{ url: string, connections: () => number, close: () => void }> {
  let connections = 0
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    connections++
    const upstream = connect(port, '127.0.0.1')
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const end = (): void => { client.destroy(); upstream.destroy() }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, connections: () => connections, close: () => { server.close(); for (const s of sockets) s.destroy() } }
}

test('a sender whose upstream answers its visitors opens few probe connections; a quiet one probes every interval', async (t) => {
  const pages = versionedPages(2)
  const state: AppState = { current: new Map() }
  const origin = await startFastifyOrigin(pages, state, { plugin: true, compress: false })
  const relay = await countingRelay(Number(new URL(origin.url).port))
  const { sender, url } = await startSender(relay.url, { COILGUN_HEALTH_CHECK_INTERVAL_MS: String(INTERVAL_MS) })
  // One hook, front to back: an origin closed first waits out its keep-alive
  // connections from the relay (72 s).
  t.after(async function closeFrontToBack () {
    await sender.close()
    relay.close()
    await origin.close()
  })
  const page = `${url}/page/${pages[0]!.name}`
  const first = await request(page)
  await first.body.dump()
  assert.equal(first.statusCode, 200)

  // Busy: a visitor every 20 ms for 6 intervals.
  const busyFrom = relay.connections()
  const until = performance.now() + WINDOW_MS
  while (performance.now() < until) {
    const res = await request(page)
    await res.body.dump()
    assert.equal(res.statusCode, 200)
    await sleep(20)
  }
  const busy = relay.connections() - busyFrom

  // Quiet: nobody for as long.
  const quietFrom = relay.connections()
  await sleep(WINDOW_MS)
  const quiet = relay.connections() - quietFrom
  t.diagnostic(`connections over ${WINDOW_MS} ms: ${busy} while busy, ${quiet} while quiet`)
  assert.ok(quiet >= 3, `a quiet sender probes every interval (${quiet} connections)`)
  assert.ok(busy <= 2, `a busy sender skips its probes (${busy} connections)`)
})
