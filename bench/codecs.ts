import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkVersionsSource, finishBench, runBench } from './benchMain.ts'
import { measureSet } from './codecsMeasure.ts'
import { sentRun } from './codecsSent.ts'
import type { CodecBenchOptions } from './codecsOptions.ts'
import { resolveOptions } from './codecsOptions.ts'
import type { CodecRunRecord, SetRecord } from './codecsRecord.ts'
import { CODECS_ABOUT } from './codecsRecord.ts'
import { renderReport } from './codecsReport.ts'
import { GOAL_DECODE_MS_PER_MB, GOAL_ENCODE_MS_PER_MB, MB, summarize } from './codecsSummary.ts'
import type { Contender } from './contender.ts'
import type { ExternalTool } from './externalTools.ts'
import { loadExternalTools } from './externalTools.ts'
import { fullBodyContenders } from './fullBodyContenders.ts'
import { describeMachine } from './machine.ts'
import { loadOurContenders } from './ourContenders.ts'
import type { Progress } from './progress.ts'
import { createProgress } from './progress.ts'
import type { Workload } from './workload.ts'
import { loadWorkload } from './workload.ts'

// The codec benchmark: every consecutive pair of every corpus set through our
// codecs, the full-body references (gzip -9, brotli 11) and the xdelta3 / zstd CLIs.
// Progress goes to stderr, the Markdown report to stdout, raw results to JSON.

const benchDir = dirname(fileURLToPath(import.meta.url))
const DEFAULT_OUT = join(benchDir, 'results', 'codecs.json')

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
  checkVersionsSource(options, workload, progress)

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
    ...describeMachine(),
    loadAverage: [loadAtStart, loadavg()[0] ?? 0],
    quick: options.quick,
    synthetic: workload.synthetic,
    source: workload.source,
    settings: { repeats: options.repeats, budgetMs: options.budgetMs, goalEncodeMsPerMB: GOAL_ENCODE_MS_PER_MB, goalDecodeMsPerMB: GOAL_DECODE_MS_PER_MB, bytesPerMB: MB },
    tools: tools.map(t => ({ name: t.contender.name, version: t.version, spawnMs: t.spawnMs })),
    sets
  }
  finishBench({ title: 'Coilgun codec benchmark', section: 'codecs', about: CODECS_ABOUT, defaultOut: DEFAULT_OUT, options, versions: workload, progress, record, render: renderReport })
}

runBench('codec bench', main)
