import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadContender } from './alternatingRounds.ts'
import type { BenchPage } from '@coilgun/fixtures/benchPage'
import { finishBench, runBench } from './benchMain.ts'
import type { LoadBenchOptions } from './loadOptions.ts'
import { resolveLoadOptions } from './loadOptions.ts'
import { loadBenchPageFor, loadRunCommon } from './loadRecord.ts'
import type { RoundSample } from './loadSummary.ts'
import { medianFigures, versusPeer } from './loadSummary.ts'
import { measuredRun, runLoadRounds } from './measuredRun.ts'
import { WrongAnswerError } from './pluginOverheadContenders.ts'
import type { Progress } from './progress.ts'
import { createProgress } from './progress.ts'
import { rawGet } from './rawGet.ts'
import type { ServerProcess } from './serverProcess.ts'
import { senderEnv, startServers, UPSTREAM_CONNECTIONS } from './serverProcess.ts'
import type { SenderThroughputRecord, ThroughputContenderRecord } from './senderThroughputRecord.ts'
import { SENDER_THROUGHPUT_ABOUT } from './senderThroughputRecord.ts'
import { PROXY, renderSenderThroughput } from './senderThroughputReport.ts'

// The sender-throughput benchmark (issue 4): requests per second and p99 latency
// of visitors through coilgun-sender, against a plain @fastify/http-proxy in front
// of the same app without the plugin, and the bytes each origin sent its edge.
// Progress goes to stderr, the Markdown report to stdout.

const benchDir = dirname(fileURLToPath(import.meta.url))
const DEFAULT_OUT = join(benchDir, 'results', 'sender-throughput.json')
const SCRIPT = 'senderThroughput.ts'
/** Issue 4's target: the sender keeps at least this share of the plain proxy's throughput. */
const TARGET_RPS_RATIO = 0.8
/**
 * Rounds of a full run: with two contenders, fifteen rounds take less time than the
 * plugin-overhead bench's nine, and the shared machine's noise needs them.
 */
const SENDER_ROUNDS = 15
/** The route that serves the page's versions in turn (servers/origin.ts). */
const PAGE_PATH = '/cycle'

interface Edge {
  readonly key: string
  readonly name: string
  readonly edgeLabel: string
  readonly originLabel: string
  readonly edge: ServerProcess
  readonly origin: ServerProcess
}

async function startEdges (options: LoadBenchOptions): Promise<{ proxy: Edge, sender: Edge, all: ServerProcess[] }> {
  const corpusArgs = options.corpus === undefined ? [] : ['--corpus', options.corpus]
  const [plainOrigin, coilgunOrigin] = await startServers([
    { name: 'origin without the plugin', script: 'servers/origin.ts', args: corpusArgs },
    { name: 'origin with the plugin', script: 'servers/origin.ts', args: ['--plugin', ...corpusArgs] }
  ])
  let edges: ServerProcess[]
  try {
    edges = await startServers([
      { name: '@fastify/http-proxy', script: 'servers/proxy.ts', args: ['--upstream', plainOrigin!.url, '--connections', String(UPSTREAM_CONNECTIONS)] },
      { name: 'coilgun-sender', script: 'servers/sender.ts', env: senderEnv(coilgunOrigin!.url) }
    ])
  } catch (err) {
    await Promise.all([plainOrigin!.close(), coilgunOrigin!.close()])
    throw err
  }
  const [proxy, sender] = edges
  return {
    proxy: { key: PROXY, name: '@fastify/http-proxy (peer)', edgeLabel: '@fastify/http-proxy', originLabel: 'Fastify app without the plugin', edge: proxy!, origin: plainOrigin! },
    sender: { key: 'sender', name: 'coilgun-sender', edgeLabel: 'coilgun-sender', originLabel: 'Fastify app with @coilgun/fastify', edge: sender!, origin: coilgunOrigin! },
    all: [proxy!, sender!, plainOrigin!, coilgunOrigin!]
  }
}

/** A few requests through each edge must return one of the page's versions, byte for byte. */
async function checkEdge (edge: Edge, page: BenchPage): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const res = await rawGet(`${edge.edge.url}${PAGE_PATH}`, {})
    if (res.status !== 200 || !page.versions.some(v => v.equals(res.body))) {
      throw new WrongAnswerError(`${edge.name}: GET ${PAGE_PATH} should serve a version of the page, got ${res.status} with ${res.body.length} bytes`)
    }
  }
}

async function measure (options: LoadBenchOptions, page: BenchPage, edges: readonly Edge[], progress: Progress): Promise<ThroughputContenderRecord[]> {
  for (const e of edges) await checkEdge(e, page)
  const contenders: Array<LoadContender<RoundSample>> = edges.map(e => ({
    name: e.key,
    run: durationS => measuredRun({ edge: e.edge, origin: e.origin }, { url: `${e.edge.url}${PAGE_PATH}`, headers: {}, connections: options.connections, durationS })
  }))
  const byKey = await runLoadRounds(contenders, options, progress)
  const peerRounds = byKey.get(PROXY)!
  const peer = medianFigures(peerRounds)
  return edges.map(function record (e): ThroughputContenderRecord {
    const rounds = byKey.get(e.key)!
    const figures = versusPeer(rounds, peerRounds)
    return {
      key: e.key,
      name: e.name,
      edge: e.edgeLabel,
      origin: e.originLabel,
      ...figures,
      upstreamBytesVsPeer: (figures.median.bytesOutPerRequest.origin ?? Number.NaN) / (peer.bytesOutPerRequest.origin ?? Number.NaN),
      rounds
    }
  })
}

async function main (): Promise<void> {
  const options = resolveLoadOptions(SCRIPT, process.argv.slice(2), SENDER_ROUNDS)
  const progress = createProgress()
  const page = await loadBenchPageFor(options, progress)

  progress.note(`sender throughput: ${page.name}, ${options.connections} connections, ${options.rounds} rounds x ${options.durationS} s`)
  const { proxy, sender, all } = await startEdges(options)
  let contenders: ThroughputContenderRecord[]
  try {
    contenders = await measure(options, page, [proxy, sender], progress)
  } finally {
    await Promise.all(all.map(s => s.close()))
  }

  const record: SenderThroughputRecord = {
    benchmark: 'sender-throughput',
    ...await loadRunCommon(options, page),
    targetRpsRatio: TARGET_RPS_RATIO,
    upstreamConnections: UPSTREAM_CONNECTIONS,
    contenders
  }
  finishBench({ title: 'Coilgun sender throughput', section: 'sender-throughput', about: SENDER_THROUGHPUT_ABOUT, defaultOut: DEFAULT_OUT, options, versions: page, progress, record, render: renderSenderThroughput })
}

runBench('sender throughput bench', main)
