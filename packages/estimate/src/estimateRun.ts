import { createRequire } from 'node:module'
import { ChangeMeasurer } from './changeMeasurer.ts'
import { dirTallies, listDirResources, measureDir } from './dirSource.ts'
import type { EstimateOptions } from './estimateOptions.ts'
import { buildResult } from './estimateResult.ts'
import type { EstimateResult } from './estimateResult.ts'
import { pollTargets } from './poller.ts'
import type { PollTarget } from './poller.ts'
import { createProgress } from './progressBar.ts'
import { ResourceTally } from './resourceTally.ts'
import { VersionFetcher } from './versionFetcher.ts'
import { VersionSaver } from './versionSaver.ts'

// One estimate from start to result: builds what the run needs, polls the URLs or
// reads the folder, and closes everything it built (STYLE rule 5). Ctrl-C arrives
// as `signal`: the run stops where it is and the result holds all that was measured.

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** The User-Agent of every poll: who polls, which version, and why. */
export function userAgent (everyMs: number): string {
  return `coilgun-estimate/${VERSION} (delta-savings estimate; one request per page every ${everyMs / 1000}s at most)`
}

export interface RunContext {
  signal: AbortSignal
  /** Where the progress bar goes (drawn only on a terminal). */
  progress: NodeJS.WriteStream
}

export async function runEstimate (options: EstimateOptions, ctx: RunContext): Promise<EstimateResult> {
  const startedMs = Date.now()
  const measurer = await ChangeMeasurer.create(options.maxBytes)
  try {
    if (options.mode === 'dir') {
      const resources = listDirResources(options.dir!)
      const tallies = dirTallies(resources)
      for (const [i, r] of resources.entries()) if (r.skipped.length > 0) tallies[i]!.notes.push(`skipped (not the versions' extension): ${r.skipped.join(', ')}`)
      const files = resources.reduce((n, r) => n + r.files.length, 0)
      const read = (): number => tallies.reduce((n, t) => n + t.attempts, 0)
      const progress = createProgress(ctx.progress, tallies, files, read, () => undefined)
      try {
        await measureDir(resources, tallies, measurer, options.maxBytes, ctx.signal, progress.update)
      } finally {
        progress.stop()
      }
      return buildResult(tallies, { version: VERSION, options, measurer, startedMs, interrupted: ctx.signal.aborted })
    }

    const saver = options.saveDir === undefined ? undefined : new VersionSaver(options.saveDir)
    const targets: PollTarget[] = options.urls.map(url => ({ url, tally: new ResourceTally(url.href, `${url.host}${url.pathname}${url.search}`, url.pathname) }))
    const tallies = targets.map(t => t.tally)
    // --for counts from the first poll: loading and probing the codecs is not polling time.
    const pollStartMs = Date.now()
    const clock = { startMs: pollStartMs, endMs: pollStartMs + options.forMs }
    const fetcher = new VersionFetcher({ userAgent: userAgent(options.everyMs), timeoutMs: options.timeoutMs, maxBytes: options.maxBytes })
    const byPolls = options.polls !== undefined
    const progress = byPolls
      ? createProgress(ctx.progress, tallies, options.polls! * targets.length, () => tallies.reduce((n, t) => n + t.attempts, 0),
        () => Math.min(clock.endMs - Date.now(), (options.polls! - Math.min(...tallies.map(t => t.attempts))) * options.everyMs))
      : createProgress(ctx.progress, tallies, options.forMs, () => Date.now() - clock.startMs, () => clock.endMs - Date.now())
    try {
      await pollTargets(targets, options, fetcher, measurer, ctx.signal, progress.update, clock, saver)
    } finally {
      progress.stop()
      await fetcher.close()
    }
    return buildResult(tallies, { version: VERSION, options, measurer, startedMs, interrupted: ctx.signal.aborted })
  } finally {
    await measurer.close()
  }
}
