import { fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { FuzzWorkerMessage } from './fuzzWorker.ts'

// `npm run fuzz -- --minutes 240`: the long mode of issue 8's fuzzing. Runs every
// fuzz target (rebuildFromAnswer, readVcdiffSummary, the listener's host routing,
// every header parser, every codec decoder) in batches with fresh seeds until the
// time is up. The invariant of each: a coded error or a correct result, never a
// crash, a hang or unbounded memory. The targets run in a child process watched from
// here: no progress for --hang-seconds is a hang, RSS beyond --max-rss-mib is
// unbounded memory; either, or a failed property, ends the run with exit code 1 and
// the command that replays the failing batch.
//
//   --minutes N        how long to run (default 60; fractions allowed)
//   --seed N           replay one batch of each target from this seed, then stop
//   --only NAME        only the targets whose name starts with NAME
//   --batch N          cases per batch (default 500)
//   --hang-seconds N   longest a batch may take (default 120)
//   --max-rss-mib N    largest RSS of the fuzzing process (default 1024)

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    seed: { type: 'string' },
    only: { type: 'string' },
    batch: { type: 'string', default: '500' },
    'hang-seconds': { type: 'string', default: '120' },
    'max-rss-mib': { type: 'string', default: '1024' }
  }
})
const minutes = Number(values.minutes)
const hangMs = Number(values['hang-seconds']) * 1000
const maxRss = Number(values['max-rss-mib']) * 1024 * 1024
if (!(minutes > 0) || !(hangMs > 0) || !(maxRss > 0)) {
  process.stderr.write('fuzz: --minutes, --hang-seconds and --max-rss-mib take positive numbers\n')
  process.exit(2)
}

const longDir = dirname(fileURLToPath(import.meta.url))
const args = ['--batch', values.batch, ...(values.seed === undefined ? [] : ['--seed', values.seed]), ...(values.only === undefined ? [] : ['--only', values.only])]
const child = fork(join(longDir, 'fuzzWorker.ts'), args, { cwd: longDir, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })

const started = performance.now()
const cases = new Map<string, number>()
const outcomes = new Map<string, Map<string, number>>()
let current: { target: string, seed: number, since: number } | undefined
let peakRss = 0
let verdict: { code: number, message: string } | undefined

function replay (target: string, seed: number): string {
  return `npm run fuzz -- --seed ${seed} --only "${target}"`
}

function summary (): string {
  const lines = [...cases].map(([name, n]) => {
    const o = [...(outcomes.get(name) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(', ')
    return `  ${name}: ${n} cases (${o})`
  })
  return lines.join('\n')
}

function finish (code: number, message: string): void {
  if (verdict !== undefined) return
  verdict = { code, message }
  clearInterval(watchdog)
  clearInterval(report)
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  const elapsed = ((performance.now() - started) / 60_000).toFixed(1)
  process.stdout.write(`\nfuzz: ${message} after ${elapsed} min; peak RSS of the fuzzing process ${Math.round(peakRss / 1048576)} MiB\n${summary()}\n`)
  process.exitCode = code
}

/** RSS of the child, from /proc (Linux); 0 elsewhere, where the memory bound is not checked. */
async function childRss (): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises')
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return kb === undefined ? 0 : Number(kb) * 1024
  } catch {
    return 0
  }
}

child.on('message', (m: FuzzWorkerMessage) => {
  if (m.type === 'batch') current = { target: m.target, seed: m.seed, since: performance.now() }
  else if (m.type === 'round') {
    if (values.seed === undefined && performance.now() - started > minutes * 60_000) finish(0, 'no failure')
  } else if (m.type === 'done') {
    cases.set(m.target, (cases.get(m.target) ?? 0) + m.cases)
    const o = outcomes.get(m.target) ?? new Map<string, number>()
    for (const [k, v] of Object.entries(m.outcomes)) o.set(k, (o.get(k) ?? 0) + v)
    outcomes.set(m.target, o)
  } else {
    finish(1, `FAILED: ${m.target}, seed ${m.seed}\n${m.report}\nreplay: ${replay(m.target, m.seed)}`)
  }
})
child.once('exit', (code, signal) => {
  if (verdict !== undefined) return
  if (code === 0) finish(0, 'replayed without failure')
  else finish(1, `the fuzzing process died (${signal ?? `exit ${code}`})${current === undefined ? '' : ` during ${current.target}, seed ${current.seed}\nreplay: ${replay(current.target, current.seed)}`}`)
})

const watchdog = setInterval(function watch () {
  void childRss().then(rss => {
    peakRss = Math.max(peakRss, rss)
    if (rss > maxRss) finish(1, `UNBOUNDED MEMORY: RSS ${Math.round(rss / 1048576)} MiB${current === undefined ? '' : ` during ${current.target}, seed ${current.seed}\nreplay: ${replay(current.target, current.seed)}`}`)
    else if (current !== undefined && performance.now() - current.since > hangMs) finish(1, `HANG: ${current.target} made no progress for ${hangMs / 1000} s, seed ${current.seed}\nreplay: ${replay(current.target, current.seed)}`)
  })
}, 1000)
const report = setInterval(function progress () {
  const elapsed = ((performance.now() - started) / 60_000).toFixed(1)
  const total = [...cases.values()].reduce((a, b) => a + b, 0)
  process.stderr.write(`fuzz: ${elapsed}/${minutes} min, ${total} cases, RSS peak ${Math.round(peakRss / 1048576)} MiB\n`)
}, 60_000)
