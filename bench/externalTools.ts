import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Contender } from './contender.ts'

// The reference delta tools, run as their CLIs: their sizes are the ones to beat
// (the corpus README lists them); their times are wall times of one process per
// call, spawn and file reads included, so they only bound what the libraries cost.

interface ToolSpec {
  /** Name in the report; says the settings. */
  name: string
  command: string
  versionArgs: string[]
  encodeArgs (base: string, target: string): string[]
  decodeArgs (base: string, delta: string): string[]
}

const TOOLS: readonly ToolSpec[] = [
  {
    name: 'xdelta3 -9',
    command: 'xdelta3',
    versionArgs: ['-V'],
    encodeArgs: (base, target) => ['-9', '-e', '-c', '-s', base, target],
    decodeArgs: (base, delta) => ['-d', '-c', '-s', base, delta]
  },
  {
    name: 'zstd -19 --patch-from',
    command: 'zstd',
    versionArgs: ['--version'],
    encodeArgs: (base, target) => ['-19', '-q', '-c', `--patch-from=${base}`, target],
    decodeArgs: (base, delta) => ['-d', '-q', '-c', `--patch-from=${base}`, delta]
  }
]

/** Largest output a tool may print: far above any corpus page. */
const MAX_TOOL_OUTPUT = 256 * 1024 * 1024
/** Bare spawns timed to tell how much of a tool's time is process start-up. */
const SPAWN_PROBES = 5

export interface ExternalTool {
  readonly contender: Contender
  /** First line of the tool's version output; undefined when not installed. */
  readonly version: string | undefined
  /** Median wall time of `tool --version`, in ms: the floor of every call's time. */
  readonly spawnMs: number | undefined
}

function run (command: string, args: string[]): Buffer {
  const r = spawnSync(command, args, { maxBuffer: MAX_TOOL_OUTPUT })
  if (r.error !== undefined) throw r.error
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`)
  return r.stdout
}

function probeVersion (spec: ToolSpec): { version: string | undefined, spawnMs: number | undefined } {
  const times: number[] = []
  let version: string | undefined
  for (let i = 0; i < SPAWN_PROBES; i++) {
    const started = performance.now()
    const r = spawnSync(spec.command, spec.versionArgs)
    times.push(performance.now() - started)
    if (r.error !== undefined) return { version: undefined, spawnMs: undefined }
    version ??= `${r.stdout.toString()}${r.stderr.toString()}`.trim().split('\n')[0]
  }
  times.sort((a, b) => a - b)
  return { version, spawnMs: times[Math.floor(times.length / 2)] }
}

function toolContender (spec: ToolSpec, installed: boolean): Contender {
  if (!installed) {
    return {
      name: spec.name,
      family: 'external',
      unavailable: `not installed (${spec.command} not found on PATH)`,
      encode () { throw new Error(`${spec.command} is not installed`) },
      decode () { throw new Error(`${spec.command} is not installed`) }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `coilgun-bench-${spec.command}-`))
  const baseFile = join(dir, 'base')
  const targetFile = join(dir, 'target')
  const deltaFile = join(dir, 'delta')
  return {
    name: spec.name,
    family: 'external',
    unavailable: undefined,
    preparePair (pair) {
      writeFileSync(baseFile, pair.base)
      writeFileSync(targetFile, pair.target)
    },
    encode () {
      return run(spec.command, spec.encodeArgs(baseFile, targetFile))
    },
    prepareDecode (_pair, delta) {
      writeFileSync(deltaFile, delta)
    },
    decode () {
      return run(spec.command, spec.decodeArgs(baseFile, deltaFile))
    },
    close () {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The xdelta3 and zstd CLIs, each marked "not installed" when absent. */
export function loadExternalTools (): ExternalTool[] {
  return TOOLS.map(function loadTool (spec) {
    const { version, spawnMs } = probeVersion(spec)
    return { contender: toolContender(spec, version !== undefined), version, spawnMs }
  })
}
