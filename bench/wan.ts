import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BenchUsageError } from './benchArgs.ts'
import { checkVersionsSource, finishBench, resultsOut, runBench } from './benchMain.ts'
import { describeMachine } from './machine.ts'
import { runKey } from './resultsFile.ts'
import { UPSTREAM_CONNECTIONS } from './serverProcess.ts'
import { loadWorkload } from './workload.ts'
import { runCapacityPhase } from './wan/capacityPhase.ts'
import { checkLink } from './wan/linkCheck.ts'
import type { LinkCheck } from './wan/linkCheck.ts'
import { describeLink } from './wan/linkSettings.ts'
import { runIdlePhase } from './wan/idlePhase.ts'
import { runLoadPhase } from './wan/loadPhase.ts'
import { runReplay } from './wan/replayPhase.ts'
import { profileSets } from './wan/setProfile.ts'
import { VISITOR_HEADERS } from './wan/visitorHeaders.ts'
import { writeWanCharts } from './wan/wanCharts.ts'
import { BASELINE, startTestbed, unavailableReason, WAN_CONTENDERS } from './wan/wanContenders.ts'
import type { WanContenderSpec } from './wan/wanContenders.ts'
import { resolveWanOptions } from './wan/wanOptions.ts'
import type { WanOptions } from './wan/wanOptions.ts'
import { createWanProgress } from './wan/wanProgress.ts'
import type { WanProgress } from './wan/wanProgress.ts'
import { WAN_ABOUT } from './wan/wanRecord.ts'
import type { WanContenderRecord, WanRecord } from './wan/wanRecord.ts'
import { renderWan } from './wan/wanReport.ts'

// The end-to-end benchmark on a constrained link (issue 7): visitors → edge →
// emulated WAN → origin, for a plain proxy (the baseline), a proxy in front of a
// compressing origin (gzip, brotli), and Coilgun (vcdiff; dcz/dcb on Node 24).
// Progress goes to stderr, the Markdown report to stdout.

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(benchDir, '..')
const DEFAULT_OUT = join(benchDir, 'results', 'wan.json')

async function chooseContenders (options: WanOptions): Promise<{ run: WanContenderSpec[], unavailable: WanRecord['unavailable'] }> {
  const wanted = WAN_CONTENDERS.filter(c => options.only === undefined || c.key === BASELINE || options.only.includes(c.key))
  const unknown = (options.only ?? []).filter(k => !WAN_CONTENDERS.some(c => c.key === k))
  if (unknown.length > 0) throw new BenchUsageError(`--contenders: unknown ${unknown.join(', ')} (known: ${WAN_CONTENDERS.map(c => c.key).join(', ')})`)
  const run: WanContenderSpec[] = []
  const unavailable: Array<{ key: string, name: string, reason: string }> = []
  for (const spec of wanted) {
    const reason = await unavailableReason(spec)
    if (reason === undefined) run.push(spec)
    else unavailable.push({ key: spec.key, name: spec.name, reason })
  }
  return { run, unavailable }
}

function reportLinkCheck (check: LinkCheck, options: WanOptions, progress: WanProgress): void {
  progress.note(`link check: bulk ${check.downMbitPerS.toFixed(2)} Mbit/s origin → edge, ${check.upMbitPerS.toFixed(2)} Mbit/s edge → origin (set ${options.link.mbitPerS}); round trip ${check.rttMedianMs.toFixed(1)} ms median of ${check.pings} (set ${options.link.rttMs}); relay accounting ${check.accountingExact ? 'exact' : 'NOT EXACT'}`)
  if (!check.rateWithinTolerance || !check.rttWithinTolerance || !check.accountingExact) {
    progress.note('!! the link is NOT what it claims (see the table): the machine may be overloaded; the figures below are suspect')
  }
}

async function main (): Promise<void> {
  const options = resolveWanOptions(process.argv.slice(2))
  const progress = createWanProgress()
  const workload = await loadWorkload(options.corpus, options.replayVersions === undefined ? Number.POSITIVE_INFINITY : options.replayVersions - 1)
  checkVersionsSource(options, workload, progress)
  const { run, unavailable } = await chooseContenders(options)
  for (const u of unavailable) progress.note(`${u.name}: ${u.reason}`)

  progress.note(`WAN bench: ${describeLink(options.link)}; ${run.length} contenders; corpus ${workload.source}${options.quick ? ' (--quick)' : ''}`)
  const sets = await profileSets(workload.sets, options.replayVersions)
  progress.step(`starting ${2 * run.length + 1} processes (origins, the relay, edges)`)
  const testbed = await startTestbed(run, options)
  progress.step(`started ${2 * run.length + 1} processes`, true)
  const paths = workload.sets.map(s => `/${s.name}`)
  let contenders: WanContenderRecord[]
  let linkCheck: LinkCheck
  try {
    progress.step('checking the link')
    linkCheck = await checkLink(testbed.link, testbed.checkRoute, options.checkPings, options.checkBulkS)
    reportLinkCheck(linkCheck, options, progress)
    const replay = await runReplay(testbed, workload.sets, options.replayVersions, progress)
    const load = await runLoadPhase(testbed, paths, options, progress)
    const capacity = await runCapacityPhase(testbed, paths, options, progress)
    const idle = options.idleS > 0 ? await runIdlePhase(testbed, workload.sets[0]!, options.idleS, progress) : new Map()
    contenders = run.map(spec => ({
      key: spec.key,
      name: spec.name,
      family: spec.family,
      edge: spec.edge,
      origin: spec.origin,
      replay: replay.get(spec.key)!,
      load: load.get(spec.key)!,
      capacity: capacity.get(spec.key)!,
      ...(idle.has(spec.key) ? { idle: idle.get(spec.key) } : {})
    }))
  } finally {
    await testbed.close()
  }

  const machine = describeMachine()
  const out = resultsOut(options, workload.synthetic, DEFAULT_OUT)
  const record: WanRecord = {
    benchmark: 'wan',
    ...machine,
    quick: options.quick,
    synthetic: workload.synthetic,
    source: workload.source,
    link: options.link,
    linkCheck,
    sets,
    settings: {
      connections: options.connections,
      rounds: options.rounds,
      durationS: options.durationS,
      warmupS: options.warmupS,
      schedule: options.schedule,
      upstreamConnections: UPSTREAM_CONNECTIONS,
      limitMs: options.limitMs,
      capacity: options.capacity,
      stepS: options.stepS,
      stepMinRequests: options.stepMinRequests,
      stepMaxS: options.stepMaxS,
      visitorHeaders: VISITOR_HEADERS,
      idleS: options.idleS
    },
    contenders,
    unavailable,
    charts: undefined
  }
  // The charts go beside the raw results, and only where those are kept.
  const charts = out === undefined ? undefined : await writeWanCharts(record, dirname(out), runKey(machine.node))
  const recorded: WanRecord = charts === undefined
    ? record
    : { ...record, charts: { bytes: relative(repoRoot, charts.bytes), latency: relative(repoRoot, charts.latency), capacity: relative(repoRoot, charts.capacity) } }
  finishBench({ title: 'Coilgun end to end over a constrained link', section: 'wan', about: WAN_ABOUT, defaultOut: DEFAULT_OUT, options, versions: workload, progress, record: recorded, render: renderWan, savedAlso: `; charts: ${Object.values(charts ?? {}).join(', ')}` })
}

runBench('WAN bench', main)
