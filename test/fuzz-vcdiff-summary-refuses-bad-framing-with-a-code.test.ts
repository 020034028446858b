import assert from 'node:assert/strict'
import { test } from 'node:test'
import { vcdiffSummaryFuzz } from './support/fuzzVcdiffSummary.ts'

// Issue 8: `readVcdiffSummary` (the bomb check in front of the wasm decoder) fed
// random bytes, damaged real deltas, cut deltas and generated RFC 3284 framings with
// window sizes up to 2^45: sizes within the limit or a coded error, and the decoder
// never produces another length than the summary announced.

test('random and generated VCDIFF framings give a bounded summary or a coded error', async () => {
  const target = await vcdiffSummaryFuzz()
  target.run(5000)
  const outcomes = Object.fromEntries(target.outcomes)
  for (const kind of ['ok summary', 'ok decoded', 'COILGUN_ERR_DELTA_CORRUPT', 'COILGUN_ERR_DELTA_TOO_LARGE']) {
    assert.ok((outcomes[kind] ?? 0) > 0, `no case ended in ${kind}: ${JSON.stringify(outcomes)}`)
  }
})
