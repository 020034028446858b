import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isCoilgunAnswer, loadCodecs, sha256 } from '@coilgun/core'
import type { LoadContender } from './alternatingRounds.ts'
import type { BenchPage } from '@coilgun/fixtures/benchPage'
import { finishBench, runBench } from './benchMain.ts'
import { median } from './codecsSummary.ts'
import type { LoadBenchOptions } from './loadOptions.ts'
import { resolveLoadOptions } from './loadOptions.ts'
import { loadBenchPageFor, loadRunCommon } from './loadRecord.ts'
import type { RoundSample } from './loadSummary.ts'
import { pairedRatio, versusPeer } from './loadSummary.ts'
import { measuredRun, runLoadRounds } from './measuredRun.ts'
import { checkAnswer, INLINE_PEER, OVERHEAD_CONTENDERS, OVERHEAD_SERVERS, PEER, requestHeaders } from './pluginOverheadContenders.ts'
import type { AnswerCheck, OverheadServer } from './pluginOverheadContenders.ts'
import type { OverheadContenderRecord, PluginOverheadRecord } from './pluginOverheadRecord.ts'
import { PLUGIN_OVERHEAD_ABOUT } from './pluginOverheadRecord.ts'
import { renderPluginOverhead } from './pluginOverheadReport.ts'
import type { Progress } from './progress.ts'
import { createProgress } from './progress.ts'
import { rawGet } from './rawGet.ts'
import type { ServerProcess } from './serverProcess.ts'
import { startServers } from './serverProcess.ts'

// The plugin-overhead benchmark (issue 3): requests per second of a Fastify app
// serving a ~200 KB page, without @coilgun/fastify (the peer) and with it, on each
// of its paths, plus the event-loop delay inside the app with encoding on the main
// thread or in a worker. Progress goes to stderr, the Markdown report to stdout.

const benchDir = dirname(fileURLToPath(import.meta.url))
const DEFAULT_OUT = join(benchDir, 'results', 'plugin-overhead.json')
const SCRIPT = 'pluginOverhead.ts'

async function startOrigins (options: LoadBenchOptions): Promise<Record<OverheadServer, ServerProcess>> {
  const corpusArgs = options.corpus === undefined ? [] : ['--corpus', options.corpus]
  const names = Object.keys(OVERHEAD_SERVERS) as OverheadServer[]
  const started = await startServers(names.map(name => ({ name, script: 'servers/origin.ts', args: [...OVERHEAD_SERVERS[name].args, ...corpusArgs] })))
  return Object.fromEntries(names.map((name, i) => [name, started[i]!])) as Record<OverheadServer, ServerProcess>
}

/**
 * What hashing the page costs on this machine, ms (median of 200 after 50 untimed):
 * the plugin hashes every body it answers a sender with, so the report can say how
 * much of its CPU per request that is.
 */
function timeSha256 (body: Uint8Array): number {
  for (let i = 0; i < 50; i++) sha256(body)
  const times: number[] = []
  for (let i = 0; i < 200; i++) {
    const started = performance.now()
    sha256(body)
    times.push(performance.now() - started)
  }
  return median(times)
}

/** The sender's base must be in each plugin app's store, as if a sender had fetched it. */
async function primeStores (servers: Record<OverheadServer, ServerProcess>, headers: Record<string, string>): Promise<void> {
  for (const server of [servers.plugin, servers.pluginInline]) {
    const res = await rawGet(`${server.url}/version/0`, headers)
    if (res.status !== 200 || !isCoilgunAnswer(res.headers)) throw new Error(`${server.name}: priming version 0 failed (${res.status})`)
  }
}

async function measure (options: LoadBenchOptions, page: BenchPage, servers: Record<OverheadServer, ServerProcess>, progress: Progress): Promise<OverheadContenderRecord[]> {
  const codecs = await loadCodecs()
  const offered = [...codecs.values()].filter(c => c.available)
  await primeStores(servers, requestHeaders('sender, no base', offered, page))

  const answers = new Map<string, AnswerCheck>()
  const contenders: Array<LoadContender<RoundSample>> = []
  for (const c of OVERHEAD_CONTENDERS) {
    const server = servers[c.server]
    const headers = requestHeaders(c.request, offered, page)
    const url = `${server.url}${c.path}`
    answers.set(c.key, await checkAnswer(c, url, headers, page, codecs))
    contenders.push({
      name: c.key,
      run: durationS => measuredRun({ origin: server }, { url, headers, connections: options.connections, durationS })
    })
  }

  const byKey = await runLoadRounds(contenders, options, progress)
  const peerRounds = byKey.get(PEER)!
  const inlineRounds = byKey.get(INLINE_PEER)!
  return OVERHEAD_CONTENDERS.map(function record (c): OverheadContenderRecord {
    const rounds = byKey.get(c.key)!
    return {
      key: c.key,
      name: c.name,
      server: c.server,
      path: c.path,
      request: c.request,
      work: c.work,
      answer: answers.get(c.key)!,
      ...versusPeer(rounds, peerRounds),
      rpsVsInline: c.path === '/fresh' ? pairedRatio(rounds, inlineRounds) : undefined,
      rounds
    }
  })
}

async function main (): Promise<void> {
  const options = resolveLoadOptions(SCRIPT, process.argv.slice(2))
  const progress = createProgress()
  const page = await loadBenchPageFor(options, progress)

  progress.note(`plugin overhead: ${page.name}, ${options.connections} connections, ${options.rounds} rounds x ${options.durationS} s`)
  const servers = await startOrigins(options)
  let contenders: OverheadContenderRecord[]
  try {
    contenders = await measure(options, page, servers, progress)
  } finally {
    await Promise.all(Object.values(servers).map(s => s.close()))
  }

  const record: PluginOverheadRecord = {
    benchmark: 'plugin-overhead',
    ...await loadRunCommon(options, page),
    sha256Ms: timeSha256(page.versions[1]!),
    contenders
  }
  finishBench({ title: 'Coilgun plugin overhead', section: 'plugin-overhead', about: PLUGIN_OVERHEAD_ABOUT, defaultOut: DEFAULT_OUT, options, versions: page, progress, record, render: renderPluginOverhead })
}

runBench('plugin overhead bench', main)
