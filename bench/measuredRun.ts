import type { LoadSpec } from './loadRun.ts'
import { runLoad } from './loadRun.ts'
import type { RoundSample } from './loadSummary.ts'
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
