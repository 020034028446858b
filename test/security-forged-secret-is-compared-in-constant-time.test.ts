import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import { mock, test } from 'node:test'
import { SenderAuth } from '@coilgun/core'
import { startListener } from '../apps/listener/test/harness.ts'
import { SECRET } from './support/originConformance.ts'
import { recordingServer } from './support/rawHttp.ts'
import { rawGet } from '@coilgun/fixtures/senderClient'

// Issue 8: forged secrets. Timing cannot be measured reliably in a test, so this
// proves the property the constant-time argument rests on (docs/PROTOCOL.md,
// "Authentication"): every presented value, whatever its length or content, is
// hashed and compared as 32 bytes against 32 bytes by crypto.timingSafeEqual, with no
// early exit on length; and, end to end, a forged secret is an ordinary request
// (the origin's response, unchanged) and no secret ever reaches the application.

const GUESSES: ReadonlyArray<string | string[]> = [
  '', 'x', SECRET.slice(0, 1), SECRET.slice(0, -1), `${SECRET.slice(0, -1)}X`, SECRET.toUpperCase(), `${SECRET} `, `${SECRET}x`,
  SECRET + SECRET, 'a'.repeat(10_000), '\u00e9'.repeat(20), [SECRET, SECRET], [SECRET, 'other'], SECRET
]

test('every presented secret is hashed and compared 32 bytes to 32 bytes by timingSafeEqual', (t) => {
  const original = crypto.timingSafeEqual
  const compared: Array<[number, number]> = []
  mock.method(crypto, 'timingSafeEqual', function recordComparison (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) {
    compared.push([a.byteLength, b.byteLength])
    return original(a, b)
  })
  // Named ESM imports of node:crypto (as in senderAuth.ts) follow the patched export.
  syncBuiltinESMExports()
  t.after(() => { mock.restoreAll(); syncBuiltinESMExports() })

  const auth = new SenderAuth(SECRET)
  const results = GUESSES.map(g => auth.authenticate(g))
  assert.deepEqual(compared, GUESSES.map(() => [32, 32]), 'one 32-byte comparison per guess, whatever its length')
  assert.deepEqual(results, GUESSES.map(g => g === SECRET), 'only the exact secret authenticates')
  assert.equal(auth.authenticate(undefined), false)
  assert.equal(compared.length, GUESSES.length, 'an absent header is not compared at all')
})

test('forged secrets get the origin\'s response; the application never sees a secret header', async (t) => {
  const origin = await recordingServer('origin')
  const { listener, url } = await startListener({ COILGUN_ORIGIN: origin.url })
  t.after(async () => { await listener.close(); await origin.close() })
  for (const guess of GUESSES) {
    const headers: Record<string, string> = { 'coilgun-secret': Array.isArray(guess) ? guess.join(', ') : guess, 'a-im': 'vcdiff' }
    const res = await rawGet(`${url}/p`, headers)
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'origin origin')
    assert.equal(res.headers['repr-digest'], undefined)
    assert.equal(res.headers['coilgun-origin'], undefined)
  }
  assert.equal(origin.seen.length, GUESSES.length)
  for (const r of origin.seen) assert.equal(r.headers['coilgun-secret'], undefined, 'the secret header is removed before the application')
})
