import { cpus, platform } from 'node:os'

/** What a run ran on: part of every record, and one sentence above every table. */
export interface Machine {
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly platform: string
}

export function describeMachine (): Machine {
  return {
    date: new Date().toISOString(),
    node: process.versions.node,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    platform: `${platform()} ${process.arch}`
  }
}

/**
 * Machine, runtime and the command that reruns and records the benchmark (its bench
 * package `script` with --write), in one sentence; `also` ends it after a semicolon.
 */
export function machineLine (machine: Machine, script: string, also?: string): string {
  return `Node ${machine.node}, ${machine.cpu} (${machine.cores} cores, ${machine.platform}), ${machine.date.slice(0, 10)}. Recorded with \`node scripts/pnpm.mjs --filter @coilgun/bench run ${script} -- --write\` (this Node first on the PATH)${also === undefined ? '' : `; ${also}`}.`
}
