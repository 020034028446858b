import { bytes, DASH, ms, percent, SENDER_OUTCOMES, sourceLine } from '../loadFormat.ts'
import { machineLine } from '../machine.ts'
import type { Align } from '../markdownTable.ts'
import { markdownTable } from '../markdownTable.ts'
import { LINK_TOLERANCE } from './linkCheck.ts'
import { bytesPerMs, describeLink, floorMs } from './linkSettings.ts'
import { bytesVs, kindsText, msOrOver, msVs, plural, rps, times, withRatio } from './wanFormat.ts'
import { renderMethod } from './wanMethod.ts'
import type { WanContenderRecord, WanRecord } from './wanRecord.ts'
import { baselineOf, ladderRates, stepAt, summarizeReplay } from './wanSummary.ts'
import { judgeTargets } from './wanTargets.ts'

// The WAN benchmark's report as Markdown: for the terminal and for BENCHMARKS.md.

function linkTable (record: WanRecord): string {
  const c = record.linkCheck
  const l = record.link
  const yes = (ok: boolean): string => (ok ? 'yes' : '**no**')
  const within = (x: number, set: number): string => yes(Math.abs(x - set) <= LINK_TOLERANCE * set)
  return markdownTable(['check', 'set', 'measured', `within ${LINK_TOLERANCE * 100}%`], [
    [`bulk ${bytes(c.bulkBytes)} origin → edge`, `${l.mbitPerS} Mbit/s`, `${c.downMbitPerS.toFixed(2)} Mbit/s`, within(c.downMbitPerS, l.mbitPerS)],
    [`bulk ${bytes(c.bulkBytes)} edge → origin`, `${l.mbitPerS} Mbit/s`, `${c.upMbitPerS.toFixed(2)} Mbit/s`, within(c.upMbitPerS, l.mbitPerS)],
    [`1-byte round trip, median of ${c.pings} (fastest)`, `${l.rttMs} ms`, `${ms(c.rttMedianMs)} ms (${ms(c.rttMinMs)})`, within(c.rttMedianMs, l.rttMs)],
    ['new connection + 1-byte round trip', `${2 * l.rttMs} ms`, `${ms(c.firstExchangeMs)} ms`, DASH],
    ['bytes counted by the relay', `${c.bulkBytes} + ${c.bulkBytes + 5}`, `${c.relayCountedDown} + ${c.relayCountedUp}`, c.accountingExact ? 'exact' : '**not exact**']
  ], ['left', 'right', 'right', 'left'])
}

function bytesTable (record: WanRecord, base: WanContenderRecord): string {
  const header = ['contender', ...record.sets.map(s => s.name), 'all sets', 'of which bodies / headers', 'answers']
  const align: Align[] = ['left', ...record.sets.map((): Align => 'right'), 'right', 'right', 'left']
  const rows = record.contenders.map(c => {
    const all = summarizeReplay(c)
    return [
      c.name,
      ...record.sets.map(s => bytesVs(summarizeReplay(c, s.name).bytesPerChange, summarizeReplay(base, s.name).bytesPerChange, c === base)),
      bytesVs(all.bytesPerChange, summarizeReplay(base).bytesPerChange, c === base),
      `${bytes(all.bodyPerChange)} / ${bytes(all.bytesPerChange - all.bodyPerChange)}`,
      kindsText(all.kinds)
    ]
  })
  for (const u of record.unavailable) rows.push([u.name, ...record.sets.map(() => DASH), DASH, DASH, u.reason])
  const sizes = markdownTable(['corpus set', 'versions', 'page size (median)', 'versions differ by (median raw vcdiff)'], record.sets.map(s => [s.name, String(s.versions), `${bytes(s.minBytes)}-${bytes(s.maxBytes)} (${bytes(s.medianBytes)})`, `${s.medianChangePercent.toFixed(2)}%`]), ['left', 'right', 'right', 'right'])
  return `${sizes}\n\n${markdownTable(header, rows, align, true)}`
}

function idleLatencyTable (record: WanRecord, base: WanContenderRecord): string {
  const header = ['corpus set', 'contender', 'p50 ms', 'p95 ms', 'physical floor ms (p50)', 'above the floor ms (p50)', 'of which upstream / in the edge']
  const rows: string[][] = []
  for (const s of record.sets) {
    const b = summarizeReplay(base, s.name)
    for (const c of record.contenders) {
      const r = summarizeReplay(c, s.name)
      const split = Number.isFinite(r.edgeP50Ms) ? `${ms(r.upstreamAboveFloorP50Ms)} / ${ms(r.edgeP50Ms)}` : DASH
      rows.push([s.name, c.name, msVs(r.p50Ms, b.p50Ms, c === base), msVs(r.p95Ms, b.p95Ms, c === base), msVs(r.floorP50Ms, b.floorP50Ms, c === base), ms(r.aboveFloorP50Ms), split])
    }
  }
  return markdownTable(header, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right'])
}

function quietSpellTable (record: WanRecord): string {
  const header = ['contender', 'ms', 'physical floor ms', 'above the floor ms', 'link bytes (up + down)', 'new connections over the link', 'answer']
  const rows = record.contenders.filter(c => c.idle !== undefined).map(c => {
    const r = c.idle!
    return [c.name, ms(r.ms), ms(r.floorMs), ms(r.ms - r.floorMs), `${bytes(r.up)} + ${bytes(r.down)}`, String(r.newConnections), r.kind]
  })
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'left'])
}

function outcomesText (c: WanContenderRecord): string {
  const k = c.load.median.counters
  const counts = Object.fromEntries(SENDER_OUTCOMES.map(([key, label]) => [label, k[key] ?? 0]).filter(([, n]) => (n as number) > 0))
  return c.family === 'coilgun' ? kindsText(counts) : 'whole page every request'
}

function loadTable (record: WanRecord, base: WanContenderRecord): string {
  const b = base.load.median
  const header = ['contender', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'link bytes/req (both ways)', 'edge CPU ms/req', 'origin CPU ms/req', 'failed', 'answers from the origin']
  const rows = record.contenders.map(c => {
    const m = c.load.median
    const isBase = c === base
    return [
      c.name,
      withRatio(rps(m.rps), m.rps, b.rps, isBase),
      msVs(m.p50Ms, b.p50Ms, isBase),
      msVs(m.p95Ms, b.p95Ms, isBase),
      msVs(m.p99Ms, b.p99Ms, isBase),
      bytesVs(m.linkUpPerRequest + m.linkDownPerRequest, b.linkUpPerRequest + b.linkDownPerRequest, isBase),
      msVs(m.edgeCpuMsPerRequest, b.edgeCpuMsPerRequest, isBase),
      msVs(m.originCpuMsPerRequest, b.originCpuMsPerRequest, isBase),
      String(m.failures),
      outcomesText(c)
    ]
  })
  for (const u of record.unavailable) rows.push([u.name, ...header.slice(1, -1).map(() => DASH), u.reason])
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'], true)
}

function capacityTable (record: WanRecord, base: WanContenderRecord): string {
  const limit = record.settings.limitMs
  const header = ['contender', `sustained req/s (p99 < ${limit} ms)`, 'first rate not sustained', 'p50 / p99 ms at the sustained rate', 'link bytes/req there', 'link busy there (busier way)', 'steps']
  const b = base.capacity.sustained ?? Number.NaN
  const rows = record.contenders.map(c => {
    const sustained = c.capacity.sustained
    const at = sustained === undefined ? undefined : stepAt(c, sustained)
    const atLeast = c.capacity.exceeded === undefined && sustained !== undefined ? '≥ ' : ''
    return [
      c.name,
      sustained === undefined ? `< ${rps(c.capacity.exceeded)}` : `${atLeast}${withRatio(rps(sustained), sustained, b, c === base)}`,
      c.capacity.exceeded === undefined ? 'none tried' : rps(c.capacity.exceeded),
      at === undefined ? DASH : `${msOrOver(at.p50Ms, limit)} / ${msOrOver(at.p99Ms, limit)}`,
      at === undefined ? DASH : bytes(at.linkBytesPerRequest),
      at === undefined ? DASH : percent(100 * at.achievedRps * at.linkDownPerRequest / (bytesPerMs(record.link) * 1000)),
      c.capacity.steps.map(s => `${rps(s.rate)}${s.passed ? '✓' : '✗'}`).join(' ')
    ]
  })
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'left'], true)
}

function equalLoadTable (record: WanRecord, base: WanContenderRecord): string {
  const limit = record.settings.limitMs
  const rates = ladderRates(record).filter(r => record.contenders.filter(c => c.family === 'compressing').some(c => stepAt(c, r)?.passed === true))
  if (rates.length === 0) return 'The compressing proxies sustained none of the rates tried.'
  const header = ['offered req/s', ...record.contenders.map(c => `${c.name} p50 / p99 ms`)]
  const rows = rates.map(rate => [rps(rate), ...record.contenders.map(c => {
    const s = stepAt(c, rate)
    const bs = stepAt(base, rate)
    if (s === undefined) return DASH
    const text = `${msOrOver(s.p50Ms, limit)} / ${msOrOver(s.p99Ms, limit)}`
    return c === base || bs === undefined || !Number.isFinite(bs.p50Ms) ? text : `${text} (${times(s.p50Ms / bs.p50Ms)})`
  })])
  return markdownTable(header, rows, ['right', ...record.contenders.map((): Align => 'right')])
}

function contendersList (record: WanRecord): string {
  const lines = record.contenders.map(c => `- **${c.name}**: ${c.edge} → link → ${c.origin}.`)
  for (const u of record.unavailable) lines.push(`- **${u.name}**: ${u.reason}.`)
  return lines.join('\n')
}

function chartsBlock (record: WanRecord): string {
  if (record.charts === undefined) return ''
  const c = record.charts
  return [`![Bytes over the link per changed page](${c.bytes})`, `![Latency distribution at fixed concurrency](${c.latency})`, `![p99 latency against offered load](${c.capacity})`].join('\n\n')
}

function targetsBlock (record: WanRecord): string {
  const verdicts = judgeTargets(record)
  if (verdicts.length === 0) return 'Targets: not judged (no Coilgun contender ran).'
  return verdicts.map(v => `- ${v.target}: ${v.met === undefined ? 'not measured' : v.met ? '**met**' : '**not met**'}. ${v.detail}.`).join('\n')
}

/** The whole report; `level` is the heading level of its sections. */
export function renderWan (record: WanRecord, level: number): string {
  const base = baselineOf(record)
  const h = '#'.repeat(level)
  const s = record.settings
  const stepText = s.stepMinRequests > 0 ? `${s.stepS}-${s.stepMaxS} s per step (at least ${s.stepMinRequests} requests)` : `${s.stepS} s per step`
  const schedule = s.schedule.everyMs === undefined ? `every ${s.schedule.every} requests for it` : `every ${s.schedule.everyMs} ms`
  const head = [
    machineLine(record, 'wan'),
    sourceLine(record.synthetic, record.source, record.quick),
    `Link: ${describeLink(record.link)} (token bucket of ${record.link.burstBytes} B, TCP relay \`bench/wan/relay.ts\`). Each edge keeps ${s.upstreamConnections} keep-alive connections to its origin over it. Floor of a request = ${record.link.rttMs} ms + its bytes both ways at ${record.link.mbitPerS} Mbit/s (e.g. ${ms(floorMs(record.link, 0, 385_000))} ms for a 385 KB page).`,
    contendersList(record)
  ]
  if (base === undefined) return [...head, 'No baseline ran: no ratios to report.'].join('\n\n')
  return [
    ...head,
    `${h} The link, verified`,
    linkTable(record),
    `${h} Bytes over the link per changed page`,
    'Every version of every corpus set in turn, one request at a time on a warm, idle link: each request finds the page changed since the last one. Bytes counted by the relay, both directions, TCP payload (headers included); in brackets the ratio to the baseline.',
    bytesTable(record, base),
    `${h} Latency on an idle, warm link`,
    'The same requests, timed at the visitor; the floor is what the link alone costs each request (one round trip plus its bytes at the link rate). For Coilgun, the time above the floor splits at the sender\'s own upstream timing (its diagnostic header\'s `ut`): upstream, until the sender holds the verified page (the origin\'s work: hashing, encoding the delta, compressing the full page only when it must be sent or compared; then the sender\'s decoding and SHA-256 check), and in the edge after that (compressing the page for the visitor, sending it over loopback).',
    idleLatencyTable(record, base),
    ...(record.contenders.some(c => c.idle !== undefined)
      ? [`${h} The first request after ${s.idleS ?? 0} s of silence`,
          `At the end of the run, each edge served \`/${record.sets[0]?.name ?? ''}\` once, then no visitor came for ${s.idleS ?? 0} s, then one visitor asked for it again and it had changed (issue 17: a warm link). A connection that timed out meanwhile costs a new TCP handshake (one round trip) and, with TLS, another. New connections are those the request opened and the edge kept (still open 1.5 s after the answer); the bytes are the relay's counts while the request ran, so a sender's health probe (a connection of its own every 5 s while the link is quiet) that started in that window would add its ~1 KB.`,
          quietSpellTable(record)]
      : []),
    `${h} ${s.connections} visitors at once`,
    `Closed loop, the ${record.sets.length} resources in turn, each changing ${schedule}; ${plural(s.rounds, 'round')} of ${s.durationS} s per contender, alternating, medians over rounds (latency: each round's percentile).`,
    loadTable(record, base),
    `${h} Link capacity`,
    `Visitors arriving at a set rate (Poisson, the same arrivals for every contender), ${stepText}; a rate is sustained when no request fails and p99 (unanswered after ${s.limitMs} ms counting as slower) stays under ${s.limitMs} ms. Steps double from the lowest rate, then bisect.`,
    capacityTable(record, base),
    `Latency at equal offered load, at every rate a compressing proxy sustained (ratio of p50 to the baseline's):`,
    equalLoadTable(record, base),
    chartsBlock(record),
    `${h} Against the targets of issues 7 and 17`,
    targetsBlock(record),
    renderMethod(record, level)
  ].filter(part => part !== '').join('\n\n')
}
