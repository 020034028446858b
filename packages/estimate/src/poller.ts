import { setTimeout as sleep } from 'node:timers/promises'
import type { ChangeMeasurer } from './changeMeasurer.ts'
import type { EstimateOptions } from './estimateOptions.ts'
import { RequestSlots } from './requestSlots.ts'
import type { ResourceTally } from './resourceTally.ts'
import type { VersionFetcher } from './versionFetcher.ts'
import type { VersionSaver } from './versionSaver.ts'

// Polls every URL on its own schedule: the next poll of a URL starts no sooner than
// `--every` after the start of its previous one, nor before the time a Retry-After
// asked for (RFC 9110 section 10.2.3). Requests share `--concurrency` slots.

export interface PollTarget {
  url: URL
  tally: ResourceTally
}

export interface PollClock {
  /** When polling started and when it ends (ms since the epoch). */
  startMs: number
  endMs: number
}

/**
 * Runs until `--for` is over, every URL has had `--polls` polls, or `signal` aborts
 * (Ctrl-C). A measurement under way when the signal comes is finished and kept.
 */
export async function pollTargets (targets: readonly PollTarget[], options: EstimateOptions, fetcher: VersionFetcher, measurer: ChangeMeasurer, signal: AbortSignal, onUpdate: () => void, clock: PollClock, saver?: VersionSaver): Promise<void> {
  const slots = new RequestSlots(options.concurrency)
  // Stops the waits at the end of the run as well as on Ctrl-C.
  const end = AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, clock.endMs - Date.now()))])

  async function pollOne (target: PollTarget): Promise<void> {
    let nextAtMs = clock.startMs
    let polls = 0
    while (!end.aborted) {
      if (options.polls !== undefined && polls >= options.polls) return
      if (nextAtMs >= clock.endMs) return
      // A timer may fire a millisecond early by the wall clock: wait until it is really time.
      for (let wait = nextAtMs - Date.now(); wait > 0; wait = nextAtMs - Date.now()) {
        try {
          await sleep(wait, undefined, { signal: end })
        } catch {
          return
        }
      }
      if (!(await slots.acquire(end))) return
      const startedMs = Date.now()
      let outcome
      try {
        outcome = await fetcher.fetch(target.url, signal)
      } finally {
        slots.release()
      }
      if (!outcome.ok && outcome.kind === 'interrupted') return
      polls++
      target.tally.attempts++
      target.tally.pollStartsMs.push(startedMs)
      if (outcome.ok) {
        const isNew = await target.tally.addVersion(outcome.body, measurer, startedMs)
        if (isNew && saver !== undefined) {
          try {
            saver.save(target.url, outcome.body, outcome.contentType)
          } catch (err) {
            target.tally.addProblem('save-failed', (err as NodeJS.ErrnoException).code ?? (err as Error).message)
          }
        }
      } else target.tally.addProblem(outcome.kind, outcome.detail)
      nextAtMs = Math.max(startedMs + options.everyMs, outcome.retryAfterMs === undefined ? 0 : Date.now() + outcome.retryAfterMs)
      onUpdate()
    }
  }

  await Promise.all(targets.map(pollOne))
}
