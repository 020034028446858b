import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hashOf, isDelta, outcomeOf, startFaultPair, whyOf } from './support/faultPair.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { send } from './support/tamperingProxy.ts'
import type { OriginReply } from './support/tamperingProxy.ts'

// Issue 8: truncated answers. Cut with a Content-Length that matches the cut (valid
// HTTP, broken payload): the delta or page fails decoding or verification and is
// refetched in full. Cut on the wire (Content-Length promises more, then the
// connection closes; or a chunked body that never ends properly): an honest 502.
// Either way the sender keeps the last complete version and recovers by itself.

const pages = versionedPages(5)
const page = pages[0]!
const path = `/page/${page.name}`

function head (reply: OriginReply): string {
  const lines = [`HTTP/1.1 ${reply.status} X`]
  for (const [name, value] of Object.entries(reply.headers)) for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`)
  return lines.join('\r\n')
}

test('a delta or a full page cut short but framed as complete is refetched in full', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  for (const [i, cutFull] of [[1, false], [2, true]] as const) {
    // Cut the delta; when `cutFull`, cut the full refetch too, and the visitor gets a 502.
    pair.proxy.tamper = (_req, real) => send(isDelta(real) || cutFull ? { ...real, body: real.body.subarray(0, real.body.length - 7) } : real)
    pair.state.current.set(page.name, i)
    const res = await rawGet(pair.url + path)
    if (!cutFull) {
      assert.ok(res.body.equals(page.versions[i]!))
      assert.equal(outcomeOf(res), 'fallback')
      assert.match(whyOf(res) ?? '', /^COILGUN_ERR_(DELTA_CORRUPT|VERIFY_FAILED)$/)
      assert.ok(pair.held(path)?.equals(hashOf(page.versions[i]!)))
    } else {
      assert.equal(res.status, 502)
      assert.equal(pair.held(path), undefined)
    }
  }
  pair.proxy.tamper = (_req, real) => send(real)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[2]!))
})

test('an answer cut on the wire: 502, the held version kept, a delta against it afterwards', async (t) => {
  const pair = await startFaultPair(t, pages)
  assert.ok((await rawGet(pair.url + path)).body.equals(page.versions[0]!))
  pair.state.current.set(page.name, 1)
  const cuts: Array<(real: OriginReply) => Buffer> = [
    // Content-Length promises the whole body; half of it comes, then the connection closes.
    real => Buffer.concat([Buffer.from(`${head(real)}\r\ncontent-length: ${real.body.length}\r\n\r\n`), real.body.subarray(0, real.body.length >> 1)]),
    // Chunked, and the connection closes before the last chunk.
    real => Buffer.from(`${head(real)}\r\ntransfer-encoding: chunked\r\n\r\n${(real.body.length >> 1).toString(16)}\r\n${real.body.subarray(0, real.body.length >> 1).toString('latin1')}\r\n`, 'latin1'),
    // Headers only.
    real => Buffer.from(`${head(real)}\r\ncontent-length: ${real.body.length}\r\n\r\n`)
  ]
  for (const cut of cuts) {
    pair.proxy.tamper = (_req, real) => ({ kind: 'raw', bytes: cut(real), then: 'close' })
    const res = await rawGet(pair.url + path)
    assert.equal(res.status, 502)
    assert.ok(pair.held(path)?.equals(hashOf(page.versions[0]!)), 'a cut answer never replaces the held version')
  }
  pair.proxy.tamper = (_req, real) => send(real)
  const back = await rawGet(pair.url + path)
  assert.ok(back.body.equals(page.versions[1]!))
  assert.equal(outcomeOf(back), 'delta')
})
