import { cpus, loadavg, platform } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeCodecsBlock } from './benchmarksFile.ts'
import { measureSet } from './codecsMeasure.ts'
import { sentRun } from './codecsSent.ts'
import type { CodecBenchOptions } from './codecsOptions.ts'
import { BenchUsageError, resolveOptions } from './codecsOptions.ts'
import type { CodecRunRecord, SetRecord } from './codecsRecord.ts'
import { runKey, saveRun } from './codecsRecord.ts'
import { renderReport } from './codecsReport.ts'
import { GOAL_DECODE_MS_PER_MB, GOAL_ENCODE_MS_PER_MB, MB, summarize } from './codecsSummary.ts'
import type { Contender } from './contender.ts'
import type { ExternalTool } from './externalTools.ts'
import { loadExternalTools } from './externalTools.ts'
import { fullBodyContenders } from './fullBodyContenders.ts'
import { loadOurContenders } from './ourContenders.ts'
import type { Progress } from './progress.ts'
import { createProgress } from './progress.ts'
import { syntheticBanner } from './syntheticBanner.ts'
import type { Workload } from './workload.ts'
import { loadWorkload } from './workload.ts'

// The codec benchmark: every consecutive pair of every corpus set through our
// codecs, the full-body references (gzip -9, brotli 11) and the xdelta3 / zstd CLIs.
// Progress goes to stderr, the Markdown report to stdout, raw results to JSON.

const benchDir = dirname(fileURLToPath(import.meta.url))
const DEFAULT_OUT = join(benchDir, 'results', 'codecs.json')
const BENCHMARKS_MD = resolve(benchDir, '..', 'BENCHMARKS.md')

async function loadContenders (): Promise<{ contenders: Contender[], tools: ExternalTool[] }> {
  const ours = await loadOurContenders()
  // Last: the CLI contenders create scratch folders, which the caller removes.
  const tools = loadExternalTools()
  return { contenders: [...ours, ...fullBodyContenders(), ...tools.map(t => t.contender)], tools }
}

function measureWorkload (workload: Workload, contenders: readonly Contender[], options: CodecBenchOptions, progress: Progress): SetRecord[] {
  return workload.sets.map(function measureOne (set) {
    progress.start(set.name)
    const measured = measureSet(set, contenders, options, (name, done, total) => progress.pair(name, done, total))
    // The derived "sent" row goes right after our own codecs.
    const sent = sentRun(measured)
    const afterOurs = measured.filter(r => r.family === 'ours').length
    const runs = sent === undefined ? measured : [...measured.slice(0, afterOurs), sent, ...measured.slice(afterOurs)]
    return {
      name: set.name,
      versions: set.versions.length,
      pairs: set.versions.length - 1,
      rawTargetBytes: set.versions.slice(1).reduce((sum, v) => sum + v.length, 0),
      contenders: runs.map(run => ({ ...summarize(run), perPair: run.pairs }))
    }
  })
}

async function main (): Promise<void> {
  const options = resolveOptions(process.argv.slice(2))
  const progress = createProgress()
  const workload = await loadWorkload(options.corpus, options.pairLimit)
  if (workload.synthetic) progress.note(syntheticBanner(workload.source))
  if (options.write && workload.synthetic) throw new BenchUsageError('--write refused: synthetic versions are no record of anything (the corpus is missing)')

  const loadAtStart = loadavg()[0] ?? 0
  const { contenders, tools } = await loadContenders()
  let sets: SetRecord[]
  try {
    for (const c of contenders) {
      if (c.unavailable !== undefined) progress.note(`${c.name}: ${c.unavailable}`)
    }
    sets = measureWorkload(workload, contenders, options, progress)
  } finally {
    for (const c of contenders) c.close?.()
  }

  const record: CodecRunRecord = {
    benchmark: 'codecs',
    date: new Date().toISOString(),
    node: process.versions.node,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    platform: `${platform()} ${process.arch}`,
    loadAverage: [loadAtStart, loadavg()[0] ?? 0],
    quick: options.quick,
    synthetic: workload.synthetic,
    source: workload.source,
    settings: { repeats: options.repeats, budgetMs: options.budgetMs, goalEncodeMsPerMB: GOAL_ENCODE_MS_PER_MB, goalDecodeMsPerMB: GOAL_DECODE_MS_PER_MB, bytesPerMB: MB },
    tools: tools.map(t => ({ name: t.contender.name, version: t.version, spawnMs: t.spawnMs })),
    sets
  }
  const report = renderReport(record, 2)
  process.stdout.write(`# Coilgun codec benchmark\n\n${report}\n`)
  if (workload.synthetic) progress.note(syntheticBanner(workload.source))

  // Quick and synthetic runs do not overwrite the recorded results unless asked to.
  const out = options.out ?? (options.quick || workload.synthetic ? undefined : DEFAULT_OUT)
  if (out === undefined) {
    progress.note(`raw results not saved (${options.quick ? '--quick' : 'synthetic'} run; pass --out FILE to keep them)`)
  } else {
    saveRun(out, record)
    progress.note(`raw results: ${out} (${runKey(record.node)})`)
  }
  if (options.write) {
    writeCodecsBlock(BENCHMARKS_MD, runKey(record.node), `### Node ${record.node}\n\n${renderReport(record, 4)}`)
    progress.note(`recorded in ${BENCHMARKS_MD} (${runKey(record.node)})`)
  }
}

main().catch(function reportFailure (err: unknown) {
  if (err instanceof BenchUsageError) {
    console.error(err.message)
    process.exitCode = 2
    return
  }
  console.error(`codec bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  process.exitCode = 1
})
