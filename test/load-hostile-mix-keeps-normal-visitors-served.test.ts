import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HostileMixRig } from './support/hostileMix.ts'

// Issue 12, short form of bench/hostileMix.ts (which runs it for 30 minutes). Normal
// visitors run once alone and once next to attackers: visitors holding large
// downloads unread, slowloris connections, a churn of distinct URLs and a 256 KiB page
// that changes completely on every request, while versions change every 300 ms.
// Zero wrong pages, no error for normal visitors, their p99 within a generous ratio
// of the run without attackers, and no visitor socket left on the sender. The
// sender's timeouts are shortened so that attackers are cut and come back within
// the run (5 s to send headers, 5 s without reading).

const SECONDS = Number(process.env.COILGUN_HOSTILE_MIX_SECONDS ?? 12)
/** Generous: two shared cores, and the attackers' own load runs on them too. */
const MAX_P99_RATIO = 5

test(`hostile mix, ${SECONDS} s alone then ${SECONDS} s with attackers: no wrong page, p99 within x${MAX_P99_RATIO}, no leaked socket`, { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async (t) => {
  const rig = await HostileMixRig.start({ COILGUN_VISITOR_HEADERS_TIMEOUT_MS: '5000', COILGUN_VISITOR_SEND_TIMEOUT_MS: '5000' })
  t.after(() => rig.close())
  await rig.run({ seconds: 2, attackers: false })
  // Alone before and after, so a machine that got busier or quieter meanwhile does
  // not decide the ratio.
  const before = await rig.run({ seconds: SECONDS / 2, attackers: false })
  const hostile = await rig.run({ seconds: SECONDS, attackers: true })
  const after = await rig.run({ seconds: SECONDS / 2, attackers: false })
  const alone = { ...before, normal: { requests: before.normal.requests + after.normal.requests }, p50: (before.p50 + after.p50) / 2, p99: (before.p99 + after.p99) / 2 }
  const ratio = hostile.p99 / Math.max(alone.p99, 1)
  t.diagnostic(`alone: ${alone.normal.requests} requests, p50 ${alone.p50.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms`)
  t.diagnostic(`hostile: ${hostile.normal.requests} requests, p50 ${hostile.p50.toFixed(1)} ms, p99 ${hostile.p99.toFixed(1)} ms (x${ratio.toFixed(2)}); churn ${hostile.churn.requests} (errors ${JSON.stringify(hostile.churn.why)}), changing page ${hostile.changing.requests} (errors ${JSON.stringify(hostile.changing.why)}); slow readers cut ${hostile.slowReadersCut}, slowloris cut ${hostile.slowlorisCut}; sender RSS ${(hostile.senderRss / 1048576).toFixed(0)} MiB`)
  for (const [name, run] of [['before', before], ['hostile', hostile], ['after', after]] as const) {
    assert.equal(run.normal.wrong, 0, `${name}: no wrong page`)
    assert.deepEqual(run.normal.why, {}, `${name}: no error for normal visitors`)
    assert.equal(run.leakedSockets, 0, `${name}: no visitor socket left on the sender`)
  }
  assert.equal(hostile.churn.wrong, 0)
  assert.equal(hostile.changing.wrong, 0)
  assert.ok(hostile.changing.requests > 0 && hostile.churn.requests > 0, 'the attackers did run')
  assert.ok(hostile.slowReadersCut > 0 && hostile.slowlorisCut > 0, 'the sender cut attackers')
  assert.ok(ratio <= MAX_P99_RATIO, `p99 ${hostile.p99.toFixed(1)} ms with attackers vs ${alone.p99.toFixed(1)} ms alone`)
})
