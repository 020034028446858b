import type { CodecRunRecord, ContenderRecord, SetRecord, ToolRecord } from './codecsRecord.ts'
import { SENT_FROM, SENT_ROW } from './codecsSent.ts'
import { GOAL_DECODE_MS_PER_MB, GOAL_ENCODE_MS_PER_MB } from './codecsSummary.ts'
import { DASH, ms, sourceLine } from './loadFormat.ts'
import { machineLine } from './machine.ts'
import type { Align } from './markdownTable.ts'
import { markdownTable } from './markdownTable.ts'
import { renderMethodTemplate } from './methodTemplate.ts'

/** The peer that every size is also read against: what a proxy sends without deltas. */
const SIZE_PEER = 'gzip -9'
/** The best delta peer, and issue 17's bound on our bytes against it. */
const DELTA_PEER = 'zstd -19 --patch-from'
const DELTA_PEER_TARGET = 1.1

function percent (x: number): string {
  if (!Number.isFinite(x)) return DASH
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}%`
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
  if (c.name === SENT_ROW) return `the smallest of ${SENT_FROM.join(', ')} per pair; encode = all of them`
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
    `${ms(c.encodeMsPerMB)}${mark}`,
    `${ms(c.decodeMsPerMB)}${mark}`,
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

/** Our deltas' bytes over all pairs against the best delta peer's (issue 17: at most 1.1x). */
function versusDeltaPeer (record: CodecRunRecord, level: number): string | undefined {
  const names = (record.sets[0]?.contenders ?? []).filter(c => c.family === 'ours' || (c.family === 'external' && c.name !== DELTA_PEER)).map(c => c.name)
  const peers = record.sets.map(s => s.contenders.find(c => c.name === DELTA_PEER))
  if (peers.some(p => p === undefined || p.unavailable !== undefined || p.deltaBytes === 0)) return undefined
  const header = ['contender', ...record.sets.map(s => s.name)]
  const rows = names.map(function ratioRow (name) {
    return [name, ...record.sets.map(function ratioCell (s, i) {
      const c = s.contenders.find(x => x.name === name)
      if (c === undefined || c.unavailable !== undefined || c.pairs === 0) return DASH
      const ratio = c.deltaBytes / peers[i]!.deltaBytes
      return `${ratio.toFixed(2)}x${c.family === 'ours' && ratio <= DELTA_PEER_TARGET ? ' ✓' : ''}`
    })]
  })
  const align: Align[] = ['left', ...record.sets.map((): Align => 'right')]
  return [
    `${'#'.repeat(level)} Bytes over all pairs against ${DELTA_PEER} (target ≤ ${DELTA_PEER_TARGET}x, ✓ = met)`,
    '',
    markdownTable(header, rows, align)
  ].join('\n')
}

function method (record: CodecRunRecord, level: number): string {
  const { repeats, budgetMs } = record.settings
  return renderMethodTemplate('codecs', level, { sizePeer: SIZE_PEER, repeats, budgetMs, goalEncode: GOAL_ENCODE_MS_PER_MB, goalDecode: GOAL_DECODE_MS_PER_MB, sentRow: SENT_ROW })
}

/** Machine, runtime and command of the run, and the load of the machine. */
function runLine (record: CodecRunRecord): string {
  const load = record.loadAverage === undefined
    ? ''
    : ` Load average ${record.loadAverage[0].toFixed(1)} at the start, ${record.loadAverage[1].toFixed(1)} at the end (other processes on the same cores inflate the times, not the sizes).`
  return `${machineLine(record, 'codecs', '`npm start` runs it without `--write`')}${load}`
}

/** The whole report as Markdown; `level` is the heading level of its sections. */
export function renderReport (record: CodecRunRecord, level: number): string {
  return [
    runLine(record),
    sourceLine(record.synthetic, record.source, record.quick, 'first pairs of each set only'),
    overview(record, level),
    ...[versusDeltaPeer(record, level)].filter((x): x is string => x !== undefined),
    ...record.sets.map(set => setSection(set, record, level)),
    method(record, level)
  ].join('\n\n')
}
