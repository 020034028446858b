import type { ContenderRun, PairResult } from './codecsMeasure.ts'

// Issue 17 sets its byte target on what a sender receives: the origin encodes the
// new version with every codec the sender offers and sends the smallest
// (chooseEncoding in @coilgun/core). That row is derived from the measured pairs
// of the codecs it chooses from, so it costs no extra encodes in the run.

/** Name of the derived row in the report. */
export const SENT_ROW = 'sent (smallest)'
/** What a sender offering every codec is chosen among: vcdiff goes out gzipped when that is smaller. */
export const SENT_FROM: readonly string[] = Object.freeze(['vcdiff+gzip', 'dcz', 'dcb'])

/**
 * Per pair, the smallest delta among the offered codecs that ran. Encode time is the
 * sum over them (the origin encodes with each), decode time that of the one sent.
 * Undefined when none of them ran.
 */
export function sentRun (runs: readonly ContenderRun[]): ContenderRun | undefined {
  const offered = runs.filter(r => SENT_FROM.includes(r.name) && r.unavailable === undefined && r.pairs.length > 0)
  if (offered.length === 0) return undefined
  const pairs: PairResult[] = offered[0]!.pairs.map(function smallestOf (first, i) {
    let best = first
    let encodeMs = 0
    for (const run of offered) {
      const p = run.pairs[i]!
      encodeMs += p.encodeMs
      if (p.deltaBytes < best.deltaBytes) best = p
    }
    return { ...best, encodeMs }
  })
  return { name: SENT_ROW, family: 'ours', unavailable: undefined, pairs }
}
