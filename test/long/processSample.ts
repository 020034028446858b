import { readdir, readFile } from 'node:fs/promises'

// What the soak watches in each process it started, read from /proc (Linux): the
// resident memory and the open file descriptors (sockets included).

export interface ProcessSample {
  /** Resident set size, bytes (0 where /proc is missing). */
  readonly rss: number
  /** Open file descriptors (0 where /proc is missing). */
  readonly fds: number
}

export async function sampleProcess (pid: number | undefined): Promise<ProcessSample> {
  if (pid === undefined) return { rss: 0, fds: 0 }
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
    const fds = (await readdir(`/proc/${pid}/fd`)).length
    return { rss: kb * 1024, fds }
  } catch {
    return { rss: 0, fds: 0 }
  }
}

/** Median of a few samples (the soak compares the first and last three after warm-up). */
export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
