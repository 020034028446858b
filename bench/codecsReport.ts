import type { CodecRunRecord, ContenderRecord, SetRecord, ToolRecord } from './codecsRecord.ts'
import { GOAL_DECODE_MS_PER_MB, GOAL_ENCODE_MS_PER_MB } from './codecsSummary.ts'
import type { Align } from './markdownTable.ts'
import { markdownTable } from './markdownTable.ts'

/** How to rerun and record the benchmark; printed with every report. */
export const RECORD_COMMAND = 'node scripts/pnpm.mjs --filter @coilgun/bench run codecs -- --write'
/** The peer that every size is also read against: what a proxy sends without deltas. */
const SIZE_PEER = 'gzip -9'
const DASH = '—'

function percent (x: number): string {
  if (!Number.isFinite(x)) return DASH
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}%`
}

function msPerMB (x: number): string {
  if (!Number.isFinite(x)) return DASH
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}

function times (x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toFixed(1)
}

/** Kilobytes (10^3 bytes), without the unit: ranges name it once. */
function kilobytes (bytes: number): string {
  return `${Math.round(bytes / 1000)}`
}

function versusPeer (c: ContenderRecord, peer: ContenderRecord | undefined): string {
  if (peer === undefined || peer.pairs === 0 || c.pairs === 0) return DASH
  if (c === peer) return 'peer'
  const ratio = peer.deltaBytes / c.deltaBytes
  return ratio >= 1 ? `${times(ratio)}x smaller` : `${times(1 / ratio)}x larger`
}

function goalPart (label: string, ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return `${label} ${DASH}`
  if (ratio <= 1) return `${label} meets`
  // Just over the goal must not read as "1.0x goal", which looks like meeting it.
  return `${label} ${ratio < 1.1 ? ratio.toFixed(2) : times(ratio)}x goal`
}

function remark (c: ContenderRecord, tools: readonly ToolRecord[]): string {
  if (c.unavailable !== undefined) return c.unavailable
  if (c.family === 'full-body') return 'whole new version, no delta'
  if (c.family === 'external') {
    const spawn = tools.find(t => t.name === c.name)?.spawnMs
    return `process per call${spawn === undefined ? '' : `; bare spawn ${spawn.toFixed(1)} ms`}`
  }
  if ((c.encodeGoalRatio ?? Infinity) <= 1 && (c.decodeGoalRatio ?? Infinity) <= 1) return 'meets both'
  return `${goalPart('enc', c.encodeGoalRatio)}, ${goalPart('dec', c.decodeGoalRatio)}`
}

function contenderRow (c: ContenderRecord, peer: ContenderRecord | undefined, tools: readonly ToolRecord[]): string[] {
  if (c.unavailable !== undefined) return [c.name, DASH, DASH, DASH, DASH, DASH, remark(c, tools)]
  // The CLIs' times include starting a process: marked so nobody compares them as equals.
  const mark = c.family === 'external' ? ' †' : ''
  return [
    c.name,
    percent(c.totalPercent),
    percent(c.medianPairPercent),
    versusPeer(c, peer),
    `${msPerMB(c.encodeMsPerMB)}${mark}`,
    `${msPerMB(c.decodeMsPerMB)}${mark}`,
    remark(c, tools)
  ]
}

function setHeading (set: SetRecord): string {
  const sizes = set.contenders.find(c => c.perPair.length > 0)?.perPair.map(p => p.targetBytes) ?? []
  const low = kilobytes(Math.min(...sizes))
  const high = kilobytes(Math.max(...sizes))
  const range = sizes.length === 0 ? '' : `, new versions ${low === high ? low : `${low}-${high}`} KB`
  return `${set.name}: ${set.pairs} pairs${range} (${(set.rawTargetBytes / 1e6).toFixed(1)} MB in all)`
}

/** How often the secondary gzip paid off (RFC 3229 `IM: vcdiff, gzip`). */
function gzipNote (set: SetRecord): string | undefined {
  const plain = set.contenders.find(c => c.name === 'vcdiff')
  const packed = set.contenders.find(c => c.name === 'vcdiff+gzip')
  if (plain === undefined || packed === undefined || packed.perPair.length === 0) return undefined
  const smaller = packed.perPair.filter((p, i) => p.deltaBytes < (plain.perPair[i]?.deltaBytes ?? 0)).length
  return `gzip made the vcdiff delta smaller on ${smaller} of ${packed.perPair.length} pairs.`
}

function setSection (set: SetRecord, record: CodecRunRecord, level: number): string {
  const peer = set.contenders.find(c => c.name === SIZE_PEER)
  const header = ['contender', 'all pairs', 'median pair', `vs ${SIZE_PEER}`, 'enc ms/MB', 'dec ms/MB', `goal: enc ≤ ${GOAL_ENCODE_MS_PER_MB}, dec ≤ ${GOAL_DECODE_MS_PER_MB} ms/MB`]
  const align: Align[] = ['left', 'right', 'right', 'right', 'right', 'right', 'left']
  const table = markdownTable(header, set.contenders.map(c => contenderRow(c, peer, record.tools)), align, true)
  const note = gzipNote(set)
  return [`${'#'.repeat(level)} ${setHeading(set)}`, '', table, ...(note === undefined ? [] : ['', note])].join('\n')
}

/** Bytes sent per contender and set, side by side: the figure most readers want. */
function overview (record: CodecRunRecord, level: number): string {
  const names = record.sets[0]?.contenders.map(c => c.name) ?? []
  const header = ['contender', ...record.sets.map(s => s.name)]
  const rows = names.map(function overviewRow (name) {
    return [name, ...record.sets.map(function cellFor (s) {
      const c = s.contenders.find(x => x.name === name)
      return c === undefined || c.unavailable !== undefined ? DASH : percent(c.totalPercent)
    })]
  })
  const align: Align[] = ['left', ...record.sets.map((): Align => 'right')]
  return [`${'#'.repeat(level)} Bytes sent over all pairs, % of the raw new versions`, '', markdownTable(header, rows, align)].join('\n')
}

function method (record: CodecRunRecord): string {
  const { repeats, budgetMs } = record.settings
  return [
    `- **Sizes**: bytes sent over all consecutive pairs (base = version i-1, new = version i) as % of the raw new versions, and the median of the per-pair %. "vs ${SIZE_PEER}" sets the total against ${SIZE_PEER} of the same new versions.`,
    `- **Times**: per pair, the fastest of up to ${repeats} timed runs after an untimed one (a contender stops repeating once it has spent ${budgetMs} ms on the pair), in ms per MB (10^6 bytes) of the new version; median over pairs. One core, in process; contenders take turns, so load from other processes hits all of them.`,
    `- **Goal**: the hot path's budget for our codecs on one core, encode ≤ ${GOAL_ENCODE_MS_PER_MB} and decode ≤ ${GOAL_DECODE_MS_PER_MB} ms/MB; "2.4x goal" means 2.4 times the budget.`,
    '- The base\'s SHA-256 is computed outside the timings (the version store already knows it); every decode is compared byte for byte with the real new version.',
    '- † wall time of one CLI process per call, spawn and file reads included: an upper bound of what the library would cost.'
  ].join('\n')
}

function sourceLine (record: CodecRunRecord): string {
  if (record.synthetic) {
    return `> **SYNTHETIC DATA: ${record.source}.** The figures below come from generated versions, not real pages: do not quote them.`
  }
  return `Corpus: \`${record.source}\`${record.quick ? ' (**--quick**: first pairs of each set only)' : ''}.`
}

/** Machine, runtime and command of the run, in one sentence. */
export function runLine (record: CodecRunRecord): string {
  return `Node ${record.node}, ${record.cpu} (${record.cores} cores, ${record.platform}), ${record.date.slice(0, 10)}. Recorded with \`${RECORD_COMMAND}\` (this Node first on the PATH); \`npm run bench:codecs\` runs it without \`--write\`.`
}

/** The whole report as Markdown; `level` is the heading level of its sections. */
export function renderReport (record: CodecRunRecord, level: number): string {
  return [
    runLine(record),
    sourceLine(record),
    overview(record, level),
    ...record.sets.map(set => setSection(set, record, level)),
    method(record)
  ].join('\n\n')
}
