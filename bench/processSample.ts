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
