import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deltaRequestHeaders, loadCodecs, OriginResponder, rebuildFromAnswer, resolveOriginOptions, sha256 } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 3: encoding a large page takes 10-15 ms of CPU; with encodeWorkers it runs
// in a worker thread, and the answers are the same as inline.

const SECRET = 'offload-secret-0123456789'
const [v1, v2] = syntheticVersions(2, 300_000) as [Buffer, Buffer]
const response = { status: 200, contentType: 'text/html', contentEncoding: undefined, contentRange: undefined, etag: undefined }

async function deltaAnswer (encodeWorkers: number): Promise<{ stats: ReturnType<OriginResponder['stats']>, kind: string }> {
  const responder = new OriginResponder(await resolveOriginOptions({ secret: SECRET, codecs: ['vcdiff'], encodeWorkers }))
  try {
    const codecs = await loadCodecs(['vcdiff'])
    const request = (headers: Record<string, string>) => ({ method: 'GET', headers, resourceKey: 'example.test/page' })
    const first = await responder.answer(request(deltaRequestHeaders(SECRET, [...codecs.values()], undefined)), response, v1)
    assert.equal(first.kind, 'full')
    const held = { body: v1, hash: sha256(v1) }
    const second = await responder.answer(request(deltaRequestHeaders(SECRET, [...codecs.values()], held)), response, v2)
    const rebuilt = rebuildFromAnswer({ status: second.status, headers: second.headers, body: second.body! }, held, codecs, 1e7)
    assert.ok(Buffer.from(rebuilt.body).equals(v2))
    return { stats: responder.stats(), kind: second.kind }
  } finally {
    await responder.close()
  }
}

test('with encodeWorkers, full compression and delta encoding run in a worker', async () => {
  const { stats, kind } = await deltaAnswer(1)
  assert.equal(kind, 'delta')
  assert.ok(stats.offloaded >= 2, `offloaded ${stats.offloaded} tasks`)
})

test('with encodeWorkers: 0, everything is encoded inline with the same result', async () => {
  const { stats, kind } = await deltaAnswer(0)
  assert.equal(kind, 'delta')
  assert.equal(stats.offloaded, 0)
})
