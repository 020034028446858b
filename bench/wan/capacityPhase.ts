import { CapacitySearch } from './capacitySearch.ts'
import { runOpenStep } from './openLoad.ts'
import type { OpenStepResult } from './openLoad.ts'
import { VISITOR_HEADERS } from './visitorHeaders.ts'
import type { RunningContender, WanTestbed } from './wanContenders.ts'
import type { WanOptions } from './wanOptions.ts'
import type { WanProgress } from './wanProgress.ts'

// Link capacity (issue 7): the highest rate of page requests each contender's
// link sustains with p99 latency under the limit. Visitors arrive at a set rate
// (open loop) for one step; the search climbs a ladder shared by all contenders,
// then narrows down. Contenders take turns step by step, as in the other phases.

export interface CapacityStep extends OpenStepResult {
  readonly passed: boolean
  /** Bytes over the link per completed request during the step, both ways, and origin → edge alone. */
  readonly linkBytesPerRequest: number
  readonly linkDownPerRequest: number
}

export interface CapacityResult {
  /** Highest rate that passed (undefined: not even the lowest), requests/s. */
  readonly sustained: number | undefined
  /** Lowest rate that failed (undefined: none within the search's range). */
  readonly exceeded: number | undefined
  readonly steps: readonly CapacityStep[]
}

/** The same arrivals for every contender at a given rate. */
function seedOf (rate: number): number {
  return (Math.round(rate * 1000) * 2654435761) >>> 0
}

function stepSeconds (rate: number, options: WanOptions): number {
  return Math.min(options.stepMaxS, Math.max(options.stepS, options.stepMinRequests / rate))
}

async function runStep (testbed: WanTestbed, c: RunningContender, paths: readonly string[], rate: number, options: WanOptions): Promise<CapacityStep> {
  await testbed.link.quiet()
  const mark = await testbed.link.mark()
  const step = await runOpenStep({ origin: c.edge.url, paths, headers: VISITOR_HEADERS, rate, durationS: stepSeconds(rate, options), limitMs: options.limitMs, seed: seedOf(rate) })
  const usage = await testbed.link.usageSince(mark, c.route)
  const passed = step.failures === 0 && step.p99Ms < options.limitMs
  const per = (bytes: number): number => (step.completed > 0 ? bytes / step.completed : Number.NaN)
  return { ...step, passed, linkBytesPerRequest: per(usage.up + usage.down), linkDownPerRequest: per(usage.down) }
}

export async function runCapacityPhase (testbed: WanTestbed, paths: readonly string[], options: WanOptions, progress: WanProgress): Promise<Map<string, CapacityResult>> {
  // The resources keep changing on the schedule the fixed-concurrency runs set.
  const searches = new Map(testbed.contenders.map(c => [c.spec.key, new CapacitySearch(options.capacity)]))
  const steps = new Map<string, CapacityStep[]>(testbed.contenders.map(c => [c.spec.key, []]))
  for (let round = 0; ; round++) {
    const order = round % 2 === 0 ? testbed.contenders : [...testbed.contenders].reverse()
    const active = order.filter(c => searches.get(c.spec.key)!.next !== undefined)
    if (active.length === 0) break
    for (const c of active) {
      const search = searches.get(c.spec.key)!
      const rate = search.next!
      progress.step(`capacity: ${c.spec.name} at ${rate} req/s`)
      const step = await runStep(testbed, c, paths, rate, options)
      search.report(rate, step.passed)
      steps.get(c.spec.key)!.push(step)
      const p99 = Number.isFinite(step.p99Ms) ? `${step.p99Ms.toFixed(0)} ms` : `> ${options.limitMs} ms`
      progress.step(`capacity: ${c.spec.name} at ${rate} req/s: p99 ${p99}, ${step.completed}/${step.sent} answered, ${step.passed ? 'sustained' : 'not sustained'}`, true)
    }
  }
  return new Map(testbed.contenders.map(c => {
    const search = searches.get(c.spec.key)!
    return [c.spec.key, { sustained: search.sustained, exceeded: search.exceeded, steps: steps.get(c.spec.key)! }]
  }))
}
