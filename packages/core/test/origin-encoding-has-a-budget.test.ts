import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { deltaRequestHeaders, loadCodecs, OriginResponder, rebuildFromAnswer, resolveOriginOptions, sha256 } from '@coilgun/core'
import type { HeldVersion, OriginOptions } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 12, item 3: a page rewritten on every request cost 70x the CPU of a direct
// answer (a delta encoded against an unrelated base, then the full compression),
// and a large encode held up every other page's delta. Deltas that are not useful
// back off; each encode is bounded in time and queue; refused work answers full.

const SECRET = 'encode-budget-secret-0123456789'
const response = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined }
const codecs = await loadCodecs(['vcdiff'])

/** A page of `size` bytes that shares nothing with another seed's. */
function rewritten (seed: string, size: number): Buffer {
  const lines: string[] = []
  let length = 0
  for (let n = 0; length < size; n++) {
    const line = `<li>${createHash('sha256').update(`${seed}:${n}`).digest('hex')}</li>`
    lines.push(line)
    length += line.length + 1
  }
  return Buffer.from(lines.join('\n'))
}

async function responderWith (options: Partial<OriginOptions>): Promise<{ responder: OriginResponder, ask: (key: string, body: Buffer, held: HeldVersion | undefined) => Promise<string> }> {
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], ...options }))
  return {
    responder,
    async ask (key, body, held) {
      const answer = await responder.answer({ method: 'GET', headers: deltaRequestHeaders(SECRET, [...codecs.values()], held), resourceKey: key }, response, body)
      const rebuilt = rebuildFromAnswer({ status: answer.status, headers: answer.headers, body: answer.body ?? new Uint8Array() }, held, codecs, 1e8)
      assert.ok(Buffer.from(rebuilt.body).equals(body), 'the answer rebuilds the page')
      return answer.kind
    }
  }
}

const held = (body: Buffer): HeldVersion => ({ body, hash: sha256(body) })

test('a resource whose delta was not useful is answered in full without encoding, others still get deltas', async (t) => {
  const { responder, ask } = await responderWith({ encodeWorkers: 0 })
  t.after(() => responder.close())
  let previous = rewritten('v0', 200_000)
  await ask('a.test/rewritten', previous, undefined)
  for (let i = 1; i <= 6; i++) {
    const next = rewritten(`v${i}`, 200_000)
    assert.equal(await ask('a.test/rewritten', next, held(previous)), 'full')
    previous = next
  }
  assert.equal(responder.stats().encodes, 1, 'one delta attempt, then the back-off')
  assert.equal(responder.stats().backoffSkips, 5)

  const [v1, v2] = syntheticVersions(2, 100_000) as [Buffer, Buffer]
  await ask('a.test/changing', v1, undefined)
  assert.equal(await ask('a.test/changing', v2, held(v1)), 'delta', 'another resource is not affected')
})

test('with deltaBackoffMs: 0 every request tries a delta', async (t) => {
  const { responder, ask } = await responderWith({ encodeWorkers: 0, deltaBackoffMs: 0 })
  t.after(() => responder.close())
  let previous = rewritten('w0', 100_000)
  await ask('a.test/rewritten', previous, undefined)
  for (let i = 1; i <= 3; i++) {
    const next = rewritten(`w${i}`, 100_000)
    await ask('a.test/rewritten', next, held(previous))
    previous = next
  }
  assert.equal(responder.stats().encodes, 3)
  assert.equal(responder.stats().backoffSkips, 0)
})

test('an encode past encodeTimeoutMs is abandoned: the worker is replaced and the answer is full and correct', async (t) => {
  const { responder, ask } = await responderWith({ encodeWorkers: 1, encodeTimeoutMs: 1, deltaBackoffMs: 0 })
  t.after(() => responder.close())
  const [v1, v2] = syntheticVersions(2, 2_000_000) as [Buffer, Buffer]
  await ask('a.test/large', v1, undefined)
  assert.equal(await ask('a.test/large', v2, held(v1)), 'full')
  assert.ok(responder.stats().encodeTimeouts >= 1, `timeouts: ${responder.stats().encodeTimeouts}`)
})

test('a saturated encoder lane answers full at once instead of queueing', async (t) => {
  const { responder, ask } = await responderWith({ encodeWorkers: 1, encodeQueueMax: 0, deltaBackoffMs: 0, offloadMinBytes: 1024 })
  t.after(() => responder.close())
  const pages = Array.from({ length: 6 }, (_, i) => syntheticVersions(2 + i, 60_000).slice(-2) as [Buffer, Buffer])
  for (const [i, [v1]] of pages.entries()) await ask(`a.test/p${i}`, v1, undefined)
  const kinds = await Promise.all(pages.map(([v1, v2], i) => ask(`a.test/p${i}`, v2, held(v1))))
  assert.ok(responder.stats().encodeBusy >= 1, `busy: ${responder.stats().encodeBusy}, kinds: ${kinds.join(',')}`)
  assert.ok(kinds.includes('full'))
})

test('budget options are validated with coded errors', async () => {
  for (const bad of [{ encodeTimeoutMs: 0 }, { encodeQueueMax: -1 }, { deltaBackoffMs: 1.5 }, { largeEncodeBytes: 'big' }]) {
    await assert.rejects(resolveOriginOptions({ secret: SECRET, ...bad } as unknown as OriginOptions), { code: 'COILGUN_ERR_INVALID_OPTION' })
  }
})
