import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { Agent, request } from 'undici'
import { startPair } from '../apps/sender/test/harness.ts'
import { waitFor } from '@coilgun/fixtures/waitFor'
import type { AppState } from './support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// Issue 8: slowloris. Hundreds of visitors open connections and send their headers
// (or a POST body) a byte at a time, or nothing at all. Everyone else is still served
// correctly meanwhile, and the sender bounds how long such a visitor may take: Node's
// server would wait 60 s for headers and Fastify, by default, forever for a body
// (requestTimeout 0); the sender sets 20 s and 300 s. The expiry itself is Node's
// (checked every 30 s) and is not waited for here; the settings are asserted.

// The bounds SECURITY.md ("Slow visitors") promises, asserted as documented rather
// than read from the sender's internals (issue 14: no test imports an app's src/).
const VISITOR_HEADERS_TIMEOUT_MS = 20_000
const VISITOR_REQUEST_TIMEOUT_MS = 300_000

/**
 * The soft limit on open files, from /proc (Linux), or Infinity where it cannot be read.
 * Each slow visitor costs two descriptors in this process (its socket and the
 * sender's); a CI run once had too few for 370 of them, and the test waited on
 * connections that could never be accepted.
 */
function openFileLimit (): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find(l => l.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft)
  } catch { return Infinity }
}
/** Descriptors kept for everything else: the origin, the pools, the other visitors, the runner. */
const OTHER_DESCRIPTORS = 200
const WANTED = { slowHeaders: 300, silent: 50, slowBodies: 20 }
const SCALE = Math.min(1, (openFileLimit() - OTHER_DESCRIPTORS) / 2 / (WANTED.slowHeaders + WANTED.silent + WANTED.slowBodies))
const SLOW_HEADERS = Math.floor(WANTED.slowHeaders * SCALE)
const SILENT = Math.floor(WANTED.silent * SCALE)
const SLOW_BODIES = Math.min(20, Math.floor(WANTED.slowBodies * SCALE))

function connections (server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => err === null ? resolve(n) : reject(err)))
}

/**
 * A connection that sends `head` once connected, then one byte of `drip` on every
 * tick of the drip timer. The drip waits for the head: a tick that came before the
 * connection did (a slow CI run) once queued its byte ahead of the request line, and
 * the sender rightly answered 400 to all 320 dripping visitors ("last count 50 of 370").
 * Socket errors are counted by code for the failure message.
 */
function slowVisitor (port: number, head: string, drip: string, slow: Set<Socket>, errors: Map<string, number>): Socket {
  const socket = connect(port, '127.0.0.1', function sendHead () { if (head !== '') socket.write(head) })
  let at = 0
  // `connecting` turns false just before the connect listener above writes the head.
  Object.assign(socket, { drip: () => { if (!socket.connecting && drip !== '' && !socket.destroyed) socket.write(drip[at++ % drip.length]!) } })
  socket.on('error', function countVisitorError (err: NodeJS.ErrnoException) {
    const code = err.code ?? err.message
    errors.set(code, (errors.get(code) ?? 0) + 1)
  })
  slow.add(socket)
  return socket
}

test('the sender bounds how long a visitor may take to send its request', async (t) => {
  const pages = versionedPages(2)
  const pair = await startPair(pages, { current: new Map() })
  t.after(pair.close)
  const server = pair.sender.app.server
  assert.equal(server.headersTimeout, VISITOR_HEADERS_TIMEOUT_MS)
  assert.ok(server.headersTimeout > 0 && server.headersTimeout <= 60_000, `headersTimeout ${server.headersTimeout}`)
  assert.equal(server.requestTimeout, VISITOR_REQUEST_TIMEOUT_MS)
  assert.ok(server.requestTimeout > 0 && server.requestTimeout >= server.headersTimeout, `requestTimeout ${server.requestTimeout} (0 means never)`)
  assert.ok(server.keepAliveTimeout > 0, 'idle keep-alive connections are closed')
})

test(`${SLOW_HEADERS} slow-header, ${SILENT} silent and ${SLOW_BODIES} slow-body visitors: everyone else gets correct pages`, async (t) => {
  const pages = versionedPages(6)
  const state: AppState = { current: new Map() }
  if (SCALE < 1) t.diagnostic(`open-file limit ${openFileLimit()}: ${SLOW_HEADERS + SILENT + SLOW_BODIES} slow visitors instead of ${WANTED.slowHeaders + WANTED.silent + WANTED.slowBodies}`)
  assert.ok(SLOW_HEADERS >= 50, `too few open files (${openFileLimit()}) for this test; raise ulimit -n`)
  const pair = await startPair(pages, state)
  const port = Number(new URL(pair.url).port)
  const slow = new Set<Socket>()
  const errors = new Map<string, number>()
  const dripping = setInterval(() => { for (const s of slow) (s as Socket & { drip: () => void }).drip() }, 50)
  // One hook, in this order: the slow visitors go first, or the sender's close waits for them.
  t.after(async () => {
    clearInterval(dripping)
    for (const s of slow) s.destroy()
    await pair.close()
  })
  for (let i = 0; i < SLOW_HEADERS; i++) slowVisitor(port, `GET /page/${pages[0]!.name} HTTP/1.1\r\nHost: a\r\n`, `X-Slow-${i}: ${'z'.repeat(50)}\r\n`, slow, errors)
  for (let i = 0; i < SILENT; i++) slowVisitor(port, '', '', slow, errors)
  for (let i = 0; i < SLOW_BODIES; i++) slowVisitor(port, `POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n`, 'slow body ', slow, errors)
  let connected = 0
  await waitFor(() => `the slow visitors to be connected (last count ${connected} of ${slow.size}; visitor socket errors: ${JSON.stringify(Object.fromEntries(errors))})`, async () => (connected = await connections(pair.sender.app.server)) >= slow.size)

  // Everyone else, on connections of their own, closed at the end.
  const others = new Agent({ connections: 10 })
  async function get (path: string): Promise<{ status: number, body: Buffer }> {
    const res = await request(pair.url + path, { dispatcher: others })
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) }
  }
  let served = 0
  for (let round = 0; round < 6; round++) {
    for (const p of pages) state.current.set(p.name, round % p.versions.length)
    const answers = await Promise.all(pages.flatMap(p => Array.from({ length: 5 }, () => get(`/page/${p.name}`).then(res => ({ p, res })))))
    for (const { p, res } of answers) {
      assert.equal(res.status, 200)
      assert.ok(res.body.equals(p.versions[round % p.versions.length]!), `${p.name} round ${round}`)
      served++
    }
  }
  // Passthrough still has upstream connections to spare (the slow bodies hold 20 of 32).
  const post = await request(`${pair.url}/echo`, { dispatcher: others, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  assert.equal(post.statusCode, 200)
  assert.deepEqual(await post.body.json(), { got: { a: 1 } })
  t.diagnostic(`${served} pages served correctly next to ${slow.size} slow visitors`)

  for (const s of slow) s.destroy()
  await others.close()
  await waitFor('every visitor connection to be gone', async () => await connections(pair.sender.app.server) === 0)
})
