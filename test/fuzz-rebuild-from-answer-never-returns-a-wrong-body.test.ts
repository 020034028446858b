import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rebuildFuzz } from './support/fuzzRebuild.ts'

// Issue 8: the sender's verification step (`rebuildFromAnswer`) fed damaged honest
// answers (status, Repr-Digest, ETag, IM, Delta-Base, Content-Encoding, body), deltas
// against another URL's base, lying Delta-Base headers, delta/gzip/brotli bombs and
// random answers. Every case ends in a coded error or in exactly the version the
// answer's digest names. `npm run fuzz` in test/ runs the same property for hours.

test('damaged, confused and random origin answers rebuild the named version or fail with a code', async () => {
  const target = await rebuildFuzz()
  target.run(3000)
  const outcomes = Object.fromEntries(target.outcomes)
  // Not vacuous: honest answers still rebuild, and each kind of refusal happens.
  for (const kind of ['ok full', 'ok delta', 'ok not-modified', 'COILGUN_ERR_VERIFY_FAILED', 'COILGUN_ERR_DELTA_CORRUPT', 'COILGUN_ERR_DELTA_TOO_LARGE', 'COILGUN_ERR_UNSUPPORTED_ENCODING']) {
    assert.ok((outcomes[kind] ?? 0) > 0, `no case ended in ${kind}: ${JSON.stringify(outcomes)}`)
  }
})
