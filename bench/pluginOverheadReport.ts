import { bytes, DASH, ms, rate, ratio, sourceLine } from './loadFormat.ts'
import { machineLine } from './machine.ts'
import type { Align } from './markdownTable.ts'
import { markdownTable } from './markdownTable.ts'
import { INLINE_PEER, PEER } from './pluginOverheadContenders.ts'
import type { OverheadContenderRecord, PluginOverheadRecord } from './pluginOverheadRecord.ts'

/** How to rerun and record the benchmark; printed with every report. */
export const PLUGIN_OVERHEAD_COMMAND = 'node scripts/pnpm.mjs --filter @coilgun/bench run plugin-overhead -- --write'

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
  return [
    `${'#'.repeat(level)} How it was measured`,
    '',
    `- Each app runs in its own process (\`bench/servers/origin.ts\`: Fastify, one route serving the page; the same app with \`@coilgun/fastify\` registered). The load comes from the bench process over loopback (\`bench/loadRun.ts\`: ${s.connections} closed-loop clients on undici, one keep-alive connection each, no pipelining; not autocannon, which decodes every body into a string and so charges binary answers more client CPU than ASCII pages). The machine has ${record.cores} cores, shared by the load generator, the app and its encoder worker, so the load is kept moderate and absolute rates mean little; read the ratios.`,
    `- Contenders take turns: ${s.rounds} rounds of ${s.durationS} s each, the order reversed every other round, after an untimed ${s.warmupS} s run each. Every figure is the median over rounds; a ratio "vs" a peer is the median over rounds of that round's req/s over the peer's (runs of one round are close in time, so a slow spell of the shared machine hits both sides).`,
    '- Before the load, each contender\'s answer is fetched once and checked: untouched pages byte for byte, sender answers rebuilt and verified against their Repr-Digest with `@coilgun/core`, as coilgun-sender does. Sender requests carry the headers of `deltaRequestHeaders(secret, codecs, held)`.',
    '- **plugin, sender delta**: the sender holds version 0 and the app serves version 1, so every request is the same delta, encoded once and then memoized (`deltaMemoBytes`). **new version each request**: the app appends a request counter to version 1, so every answer is a version nobody has seen: its full body is compressed and a delta from version 0 encoded for every request, nothing memoized or cached. That pair runs once with the default `encodeWorkers: 1` (encoding in a worker thread) and once with `encodeWorkers: 0` (on the main thread).',
    '- **loop delay**: `perf_hooks.monitorEventLoopDelay` in the app process, sampled every 1 ms during the timed run, the 1 ms interval subtracted (as `@fastify/under-pressure` does). **app CPU ms/req**: user + system CPU of the app process (worker threads included) over requests served. **client CPU ms/req**: the same for the bench process, which only runs the load. **p99 latency**: client side, request sent to response complete.',
    `- Reading the ratios: on a sender request the plugin hashes the app's body (SHA-256 names the version in the ETag and Repr-Digest, docs/PROTOCOL.md); for this page that alone costs ${ms(record.sha256Ms)} ms on this machine (timed in the bench process), most of what the sender paths add to the app's CPU per request. The plain app does nothing but send a buffer, so these ratios are the worst case: an app that renders its pages spends far more per request, and the plugin's share shrinks accordingly. Visitors' requests pay nothing but two hook calls.`
  ].join('\n')
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
    machineLine(record, PLUGIN_OVERHEAD_COMMAND),
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
