import { runAlternating } from './alternatingRounds.ts'
import type { LoadContender, RoundsPlan } from './alternatingRounds.ts'
import { rate } from './loadFormat.ts'
import type { LoadSpec } from './loadRun.ts'
import { runLoad } from './loadRun.ts'
import type { RoundFigures, RoundSample } from './loadSummary.ts'
import { roundFigures } from './loadSummary.ts'
import type { Progress } from './progress.ts'
import type { ServerProcess } from './serverProcess.ts'
import type { ServerStats } from './serverStats.ts'

/**
 * One timed run: every server on the request path starts measuring, the client
 * loads the first one for the run's duration, and every server reports.
 */
export async function measuredRun (servers: Readonly<Record<string, ServerProcess>>, spec: LoadSpec): Promise<RoundSample> {
  const entries = Object.entries(servers)
  await Promise.all(entries.map(([, s]) => s.begin()))
  const client = await runLoad(spec)
  const stats = await Promise.all(entries.map(async ([role, s]): Promise<[string, ServerStats]> => [role, await s.end()]))
  return { client, servers: Object.fromEntries(stats) }
}

/** The load benchmarks' rounds (see runAlternating), each round's req/s noted; every contender's figures by name, round by round. */
export async function runLoadRounds (contenders: ReadonlyArray<LoadContender<RoundSample>>, plan: RoundsPlan, progress: Progress): Promise<Map<string, RoundFigures[]>> {
  const samples = await runAlternating(contenders, plan, function reportRound (round, thisRound) {
    const figures = contenders.map(c => `${c.name} ${rate(thisRound.get(c.name)?.client.rps ?? Number.NaN)}`)
    progress.note(`round ${round}/${plan.rounds} req/s: ${figures.join(', ')}`)
  })
  return new Map(contenders.map(c => [c.name, samples.get(c.name)!.map(roundFigures)]))
}
