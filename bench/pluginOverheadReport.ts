import { renderMethodTemplate } from './methodTemplate.ts'
import { bytes, DASH, ms, rate, ratio, sourceLine } from './loadFormat.ts'
import { machineLine } from './machine.ts'
import type { Align } from './markdownTable.ts'
import { markdownTable } from './markdownTable.ts'
import { INLINE_PEER, PEER } from './pluginOverheadContenders.ts'
import type { OverheadContenderRecord, PluginOverheadRecord } from './pluginOverheadRecord.ts'

function answerCell (c: OverheadContenderRecord): string {
  const a = c.answer
  if (a.kind === 'untouched') return `${a.status}, page as is`
  return `${a.status} ${a.coding}, ${bytes(a.bytes)}`
}

function encodesCell (c: OverheadContenderRecord): string {
  const encodes = c.median.counters.encodes
  if (encodes === undefined) return DASH
  return encodes >= 0.995 ? 'every request' : encodes < 0.005 ? 'memoized' : `${(encodes * 100).toFixed(0)}% of requests`
}

function pathsTable (record: PluginOverheadRecord): string {
  const peer = record.contenders.find(c => c.key === PEER)
  const peerCpu = peer?.median.cpuMsPerRequest.origin ?? Number.NaN
  const rows = record.contenders.filter(c => !c.key.startsWith('fresh')).map(function pathRow (c) {
    const cpu = c.median.cpuMsPerRequest.origin ?? Number.NaN
    return [
      c.name,
      c.request,
      answerCell(c),
      rate(c.median.rps),
      c === peer ? 'peer' : ratio(c.rpsVsPeer),
      ms(c.median.latencyP99Ms),
      ms(c.median.loopP99Ms.origin),
      ms(cpu),
      c === peer ? 'peer' : ratio(cpu / peerCpu),
      ms(c.median.clientCpuMsPerRequest),
      c.work
    ]
  })
  const header = ['contender', 'request', 'answer', 'req/s', 'vs plain app', 'p99 latency ms', 'loop delay p99 ms', 'app CPU ms/req', 'vs plain app', 'client CPU ms/req', 'work per request']
  const align: Align[] = ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']
  return markdownTable(header, rows, align, true)
}

function freshTable (record: PluginOverheadRecord): string {
  const inline = record.contenders.find(c => c.key === INLINE_PEER)
  const rows = record.contenders.filter(c => c.key.startsWith('fresh')).map(function freshRow (c) {
    return [
      c.name,
      answerCell(c),
      rate(c.median.rps),
      c === inline ? 'peer' : ratio(c.rpsVsInline ?? Number.NaN),
      ratio(c.rpsVsPeer),
      ms(c.median.loopP99Ms.origin),
      ms(c.median.loopMaxMs.origin),
      ms(c.median.latencyP99Ms),
      ms(c.median.cpuMsPerRequest.origin),
      encodesCell(c),
      c.work
    ]
  })
  const header = ['contender', 'answer', 'req/s', 'vs encodeWorkers 0', 'vs plain app', 'loop delay p99 ms', 'loop delay max ms', 'p99 latency ms', 'app CPU ms/req', 'delta encoded', 'work per request']
  const align: Align[] = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left']
  return markdownTable(header, rows, align, true)
}

function pageLine (record: PluginOverheadRecord): string {
  const [base, served] = record.page.versionBytes
  return `Page: \`${record.page.name}\` (${record.page.contentType}, ${bytes(served)}), the corpus version closest to 200 KB; the base a sender holds is the version before it (${bytes(base)}). Delta codecs offered: ${record.codecs.join(', ')}.`
}

function method (record: PluginOverheadRecord, level: number): string {
  const s = record.settings
  return renderMethodTemplate('plugin-overhead', level, { connections: s.connections, cores: record.cores, rounds: s.rounds, durationS: s.durationS, warmupS: s.warmupS, sha256Ms: ms(record.sha256Ms) })
}

/** The whole report as Markdown; `level` is the heading level of its sections. */
export function renderPluginOverhead (record: PluginOverheadRecord, level: number): string {
  const s = record.settings
  const inline = record.contenders.find(c => c.key === INLINE_PEER)
  const worker = record.contenders.find(c => c.key === 'fresh-worker')
  const offload = inline === undefined || worker === undefined
    ? ''
    : ` With encoding in the worker, the app's event loop p99 delay went from ${ms(inline.median.loopP99Ms.origin)} ms to ${ms(worker.median.loopP99Ms.origin)} ms and its throughput was ${ratio(worker.rpsVsInline ?? Number.NaN)} that of encoding inline. The worker takes the encoding off the event loop, so the app's other requests no longer wait behind it, but adds no encoding capacity: one worker thread does what the main thread did, on a machine with no idle core, and handing it both versions costs a little CPU per request.`
  return [
    machineLine(record, 'plugin-overhead'),
    sourceLine(record.synthetic, record.source, record.quick),
    pageLine(record),
    `Load: ${s.connections} connections, ${s.rounds} rounds x ${s.durationS} s per contender, alternating; medians over rounds.`,
    `${'#'.repeat(level)} Requests per second, against the same app without the plugin`,
    pathsTable(record),
    `${'#'.repeat(level)} A new version every request: encoding in a worker vs on the main thread`,
    freshTable(record) + (offload === '' ? '' : `\n\n${offload.trim()}`),
    method(record, level)
  ].join('\n\n')
}
