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

/** Machine, runtime and command of the run, in one sentence (as the codecs report has it). */
export function machineLine (machine: Machine, command: string): string {
  return `Node ${machine.node}, ${machine.cpu} (${machine.cores} cores, ${machine.platform}), ${machine.date.slice(0, 10)}. Recorded with \`${command}\` (this Node first on the PATH).`
}
