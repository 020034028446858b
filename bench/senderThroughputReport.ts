import { renderMethodTemplate } from './methodTemplate.ts'
import { bytes, DASH, ms, percent, rate, ratio, SENDER_OUTCOMES, sourceLine } from './loadFormat.ts'
import type { MedianFigures } from './loadSummary.ts'
import { machineLine } from './machine.ts'
import type { Align } from './markdownTable.ts'
import { markdownTable } from './markdownTable.ts'
import type { SenderThroughputRecord, ThroughputContenderRecord } from './senderThroughputRecord.ts'

/** The named peer: a plain reverse proxy in front of the same app without the plugin. */
export const PROXY = 'proxy'

/**
 * The sender's answers by outcome, as shares of all its answers (requests still in
 * flight when a run ends are counted by the sender but not by the client).
 */
function outcomes (m: MedianFigures): string {
  const all = SENDER_OUTCOMES.reduce((sum, [name]) => sum + (m.counters[name] ?? 0), 0)
  if (all === 0) return 'whole page every request'
  const parts: string[] = []
  for (const [name, label] of SENDER_OUTCOMES) {
    const share = (m.counters[name] ?? 0) / all
    if (share >= 0.005) parts.push(`${percent(100 * share)} ${label}`)
  }
  return parts.join(', ')
}

/** CPU of every process on the path (load generator, edge, origin) per request: on a shared machine, what bounds req/s. */
function totalCpu (m: MedianFigures): number {
  return m.clientCpuMsPerRequest + (m.cpuMsPerRequest.edge ?? Number.NaN) + (m.cpuMsPerRequest.origin ?? Number.NaN)
}

function row (c: ThroughputContenderRecord): string[] {
  const peer = c.key === PROXY
  const m = c.median
  return [
    c.name,
    rate(m.rps),
    peer ? 'peer' : ratio(c.rpsVsPeer),
    ms(m.latencyP99Ms),
    bytes(m.bytesOutPerRequest.origin),
    peer ? 'peer' : percent(100 * c.upstreamBytesVsPeer),
    bytes(m.bytesInPerRequest.origin),
    ms(m.cpuMsPerRequest.edge),
    ms(m.cpuMsPerRequest.origin),
    ms(totalCpu(m)),
    ms(m.loopP99Ms.edge),
    outcomes(m)
  ]
}

function verdict (record: SenderThroughputRecord): string {
  const sender = record.contenders.find(c => c.key !== PROXY)
  if (sender === undefined) return DASH
  const met = sender.rpsVsPeer >= record.targetRpsRatio
  const perRound = sender.rpsVsPeerPerRound
  const spread = perRound.length < 2 ? '' : ` Round by round the ratio ranged from ${ratio(Math.min(...perRound))} to ${ratio(Math.max(...perRound))}.`
  const proxy = record.contenders.find(c => c.key === PROXY)
  const cpu = proxy === undefined
    ? ''
    : ` Per request, the sender used ${ratio((sender.median.cpuMsPerRequest.edge ?? Number.NaN) / (proxy.median.cpuMsPerRequest.edge ?? Number.NaN))} the proxy's CPU at the edge (it decodes each delta and checks the SHA-256 of the rebuilt page before serving it) and its origin ${ratio((sender.median.cpuMsPerRequest.origin ?? Number.NaN) / (proxy.median.cpuMsPerRequest.origin ?? Number.NaN))} the plain origin's (the plugin hashes every answer); with all processes on the same cores, that extra CPU is what the throughput ratio pays for.`
  return `coilgun-sender served ${ratio(sender.rpsVsPeer)} the plain proxy's requests per second (median of per-round ratios; target ≥ ${record.targetRpsRatio}x: ${met ? 'met' : '**not met**'}) while its origin sent ${percent(100 * sender.upstreamBytesVsPeer)} of the proxy's upstream bytes per request.${spread}${cpu}`
}

function method (record: SenderThroughputRecord, level: number): string {
  const s = record.settings
  return renderMethodTemplate('sender-throughput', level, { connections: s.connections, cores: record.cores, rounds: s.rounds, durationS: s.durationS, warmupS: s.warmupS, upstreamConnections: record.upstreamConnections })
}

/** The whole report as Markdown; `level` is the heading level of its sections. */
export function renderSenderThroughput (record: SenderThroughputRecord, level: number): string {
  const s = record.settings
  const [a, b] = record.page.versionBytes
  const header = ['edge', 'req/s', 'vs proxy', 'p99 latency ms', 'origin → edge per req', 'vs proxy', 'edge → origin per req', 'edge CPU ms/req', 'origin CPU ms/req', 'all CPU ms/req', 'edge loop delay p99 ms', 'answers from the origin']
  const align: Align[] = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']
  return [
    machineLine(record, 'sender-throughput'),
    sourceLine(record.synthetic, record.source, record.quick),
    `Page: \`${record.page.name}\` (${record.page.contentType}, ${bytes(b)}) and the version before it (${bytes(a)}), served in turn. Delta codecs: ${record.codecs.join(', ')}. Load: ${s.connections} connections, ${s.rounds} rounds x ${s.durationS} s per contender, alternating; medians over rounds.`,
    markdownTable(header, record.contenders.map(row), align, true),
    verdict(record),
    method(record, level)
  ].join('\n\n')
}
