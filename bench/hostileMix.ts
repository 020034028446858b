import { writeFileSync } from 'node:fs'
import { HostileMixRig } from '../test/support/hostileMix.ts'
import type { MixResult, MixSample } from '../test/support/hostileMix.ts'
import { parseBenchArgs, positiveOption } from './benchArgs.ts'
import { runBench } from './benchMain.ts'

// `npm run hostile-mix -- --minutes 30` (issue 12, long form of
// test/load-hostile-mix-keeps-normal-visitors-served.test.ts). coilgun-sender (the
// built command, default timeouts) and an origin with @coilgun/fastify in their own
// processes. Normal visitors run alone for --baseline-minutes, then next to the
// attackers for --minutes (visitors holding large downloads unread, dropped and
// reopened every 35 s; slowloris connections; a churn of distinct URLs; a page that
// changes completely on every request; versions changing every 300 ms), then alone
// again. Verdict: no wrong page, no error for normal visitors, their p99 under
// attack within --max-p99-ratio of the runs alone, the sender's RSS above its RSS
// alone within 1.5 x its configured bounds (COILGUN_CACHE_MAX_BYTES=--cache-mib and
// the visitor compression cache, a quarter of it) plus 64 MiB, no visitor socket left. Exit code 1 when
// a check fails; --out writes the samples and results as JSON.

const USAGE = 'usage: hostileMix.ts [--minutes 30] [--baseline-minutes 2] [--sample-seconds 60] [--max-p99-ratio 2] [--cache-mib 64] [--out file.json]'
/** Fixed allowance on top of the configured bounds (V8 heap, buffers, sockets). */
const RSS_ALLOWANCE = 64 * 1024 * 1024

async function main (): Promise<number> {
  const values = parseBenchArgs(process.argv.slice(2), {
    minutes: { type: 'string' },
    'baseline-minutes': { type: 'string' },
    'sample-seconds': { type: 'string' },
    'max-p99-ratio': { type: 'string' },
    'cache-mib': { type: 'string' },
    out: { type: 'string' }
  }, USAGE)
  const minutes = positiveOption('minutes', values.minutes, 30, false)
  const baselineMinutes = positiveOption('baseline-minutes', values['baseline-minutes'], Math.min(2, minutes / 4), false)
  const sampleMs = positiveOption('sample-seconds', values['sample-seconds'], 60, false) * 1000
  const maxRatio = positiveOption('max-p99-ratio', values['max-p99-ratio'], 2, false)
  const cacheBytes = positiveOption('cache-mib', values['cache-mib'], 64, true) * 1024 * 1024
  const maxRssGrowth = 1.5 * (cacheBytes + Math.max(1024 * 1024, cacheBytes / 4)) + RSS_ALLOWANCE

  const rig = await HostileMixRig.start({ COILGUN_CACHE_MAX_BYTES: String(cacheBytes) })
  try {
    const samples: MixSample[] = []
    function print (phase: string, s: MixSample): void {
      samples.push(s)
      console.log(`${phase} ${s.at.toFixed(0).padStart(5)} s  ${String(s.normal.requests).padStart(8)} req  wrong ${s.normal.wrong}  errors ${s.normal.errors}  p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  downloads open ${s.downloadsOpen}  sender RSS ${(s.senderRss / 1048576).toFixed(0)} MiB  fds ${s.senderFds}  visitor sockets ${s.visitorSockets}`)
    }
    await rig.run({ seconds: 5, attackers: false })
    const before = await rig.run({ seconds: baselineMinutes * 60, attackers: false, sampleMs, onSample: s => print('alone ', s) })
    const hostile = await rig.run({ seconds: minutes * 60, attackers: true, readerLifetimeMs: 35_000, sampleMs, onSample: s => print('attack', s) })
    const after = await rig.run({ seconds: baselineMinutes * 60, attackers: false, sampleMs, onSample: s => print('alone ', s) })
    const aloneP99 = (before.p99 + after.p99) / 2
    const aloneRss = samples[0]?.senderRss ?? before.senderRss
    const rssGrowth = Math.max(...samples.map(s => s.senderRss), hostile.senderRss, after.senderRss) - aloneRss
    const checks: Array<[string, string, boolean]> = [
      ['wrong pages (normal, churn, changing page)', String(before.normal.wrong + hostile.normal.wrong + after.normal.wrong + hostile.churn.wrong + hostile.changing.wrong), before.normal.wrong + hostile.normal.wrong + after.normal.wrong + hostile.churn.wrong + hostile.changing.wrong === 0],
      ['errors for normal visitors', JSON.stringify({ ...before.normal.why, ...hostile.normal.why, ...after.normal.why }), before.normal.errors + hostile.normal.errors + after.normal.errors === 0],
      [`p99 under attack vs alone (bound x${maxRatio})`, `${hostile.p99.toFixed(1)} ms vs ${aloneP99.toFixed(1)} ms (x${(hostile.p99 / aloneP99).toFixed(2)})`, hostile.p99 <= maxRatio * aloneP99],
      [`sender peak RSS above its RSS alone (bound ${(maxRssGrowth / 1048576).toFixed(0)} MiB: 1.5 x ${cacheBytes / 1048576} MiB cache and its compression cache, + 64 MiB)`, `${(rssGrowth / 1048576).toFixed(1)} MiB (${(aloneRss / 1048576).toFixed(0)} -> ${(Math.max(...samples.map(s => s.senderRss)) / 1048576).toFixed(0)} MiB)`, rssGrowth <= maxRssGrowth],
      ['visitor sockets left on the sender', String(before.leakedSockets + hostile.leakedSockets + after.leakedSockets), before.leakedSockets + hostile.leakedSockets + after.leakedSockets === 0]
    ]
    console.log(`\nnormal visitors: alone ${before.normal.requests + after.normal.requests} requests (p50 ${((before.p50 + after.p50) / 2).toFixed(1)} ms, p99 ${aloneP99.toFixed(1)} ms); under attack ${hostile.normal.requests} (p50 ${hostile.p50.toFixed(1)} ms, p99 ${hostile.p99.toFixed(1)} ms)`)
    console.log(`attackers: churn ${hostile.churn.requests} requests (errors ${JSON.stringify(hostile.churn.why)}), changing page ${hostile.changing.requests} (errors ${JSON.stringify(hostile.changing.why)}), slowloris connections cut ${hostile.slowlorisCut}; downloads the origin was still sending per sample: ${samples.map(s => s.downloadsOpen).join(', ')} (16 readers, cut 30 s after they stop reading, reopened every 35 s)`)
    for (const [what, observed, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${observed}`)
    if (values.out !== undefined) writeFileSync(values.out, JSON.stringify({ minutes, baselineMinutes, samples, before, hostile, after, checks } satisfies Record<string, unknown> & { before: MixResult }, null, 2))
    return checks.every(([, , ok]) => ok) ? 0 : 1
  } finally {
    await rig.close()
  }
}

runBench('hostileMix', main)
