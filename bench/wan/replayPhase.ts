import { Agent } from 'undici'
import { WrongAnswerError } from '../pluginOverheadContenders.ts'
import type { VersionSet } from '../workload.ts'
import { floorMs } from './linkSettings.ts'
import { resetSchedule } from './originSchedule.ts'
import { VISITOR_HEADERS } from './visitorHeaders.ts'
import { answerKind, fetchAsVisitor, linkBodyBytes, upstreamMs } from './visitorFetch.ts'
import type { RunningContender, WanTestbed } from './wanContenders.ts'
import type { WanProgress } from './wanProgress.ts'

// Every version change of every corpus set, one request at a time, on an idle
// and warm link (issue 7): one visitor asks for a resource, it has changed since
// the last request, and the bench counts the bytes that crossed the link for that
// one answer (both ways, counted in the relay) and times it against the physical
// floor. Each answer is decoded and compared with the version the origin served.

/** What one changed page cost on the link. */
export interface ReplayChange {
  readonly version: number
  readonly ms: number
  /** Bytes that crossed the link edge → origin and origin → edge for this request. */
  readonly up: number
  readonly down: number
  /** Of those, the answer's body (delta, or full page as sent); the rest is HTTP headers. */
  readonly bodyBytes: number
  /** One round trip plus both directions' bytes at the link rate, ms. */
  readonly floorMs: number
  /** Coilgun only: the sender's own time for the upstream request (its `ut=`), ms; NaN for a plain proxy. */
  readonly upstreamMs: number
  /** Body bytes the visitor received (compressed for the visitor where it accepts it). */
  readonly visitorBytes: number
  readonly kind: string
}

export interface ReplaySetResult {
  readonly set: string
  /** Size of each version served after the first. */
  readonly pageBytes: readonly number[]
  readonly changes: readonly ReplayChange[]
}

async function replaySet (testbed: WanTestbed, contender: RunningContender, set: VersionSet, versions: number, agent: Agent): Promise<ReplaySetResult> {
  const link = testbed.link
  await resetSchedule(contender.origin.url, { every: 1, everyMs: undefined })
  await link.quiet()
  const url = `${contender.edge.url}/${set.name}`
  const changes: ReplayChange[] = []
  for (let version = 0; version < versions; version++) {
    const mark = await link.mark()
    const answer = await fetchAsVisitor(agent, url, VISITOR_HEADERS)
    const usage = await link.usageSince(mark, contender.route)
    const expected = set.versions[version]!
    if (answer.status !== 200 || !answer.body.equals(expected)) {
      throw new WrongAnswerError(`${contender.spec.name}: GET /${set.name} should have served version ${version + 1} (${expected.length} bytes), got ${answer.status} with ${answer.body.length} bytes (${answerKind(answer)})`)
    }
    // The first request only primes the edge: its base may be any earlier version.
    if (version === 0) continue
    changes.push({
      version,
      ms: answer.ms,
      up: usage.up,
      down: usage.down,
      bodyBytes: linkBodyBytes(answer),
      floorMs: floorMs(link.settings, usage.up, usage.down),
      upstreamMs: upstreamMs(answer),
      visitorBytes: answer.receivedBytes,
      kind: answerKind(answer)
    })
  }
  return { set: set.name, pageBytes: set.versions.slice(1, versions).map(v => v.length), changes }
}

/** Replays every set through every contender; sets in turn, contenders alternating their order. */
export async function runReplay (testbed: WanTestbed, sets: readonly VersionSet[], versionLimit: number | undefined, progress: WanProgress): Promise<Map<string, ReplaySetResult[]>> {
  const results = new Map<string, ReplaySetResult[]>(testbed.contenders.map(c => [c.spec.key, []]))
  // One keep-alive connection per edge: the visitor side is loopback, and the
  // replay measures the link, not connection setup.
  const agent = new Agent({ connections: 1, pipelining: 1 })
  try {
    for (const [i, set] of sets.entries()) {
      const versions = Math.min(set.versions.length, versionLimit ?? Number.POSITIVE_INFINITY)
      const order = i % 2 === 0 ? testbed.contenders : [...testbed.contenders].reverse()
      for (const contender of order) {
        progress.step(`replay ${set.name} (${versions} versions) through ${contender.spec.name}`)
        results.get(contender.spec.key)!.push(await replaySet(testbed, contender, set, versions, agent))
      }
      progress.step(`replay ${set.name}: ${versions} versions through ${order.length} contenders`, true)
    }
  } finally {
    await agent.close()
  }
  // Back in set order for every contender.
  for (const list of results.values()) list.sort((a, b) => sets.findIndex(s => s.name === a.set) - sets.findIndex(s => s.name === b.set))
  return results
}
