import { setTimeout as sleep } from 'node:timers/promises'
import { Agent } from 'undici'
import { WrongAnswerError } from '../pluginOverheadContenders.ts'
import type { VersionSet } from '../workload.ts'
import { floorMs } from './linkSettings.ts'
import { resetSchedule } from './originSchedule.ts'
import { VISITOR_HEADERS } from './visitorHeaders.ts'
import { answerKind, fetchAsVisitor } from './visitorFetch.ts'
import type { WanTestbed } from './wanContenders.ts'
import type { WanProgress } from './wanProgress.ts'

// The first request after a quiet spell (issue 17, "a warm link"): every edge has
// served the resource once, then no visitor comes for `idleS` seconds, then one
// visitor asks for it again and it has changed. A contender whose connections to its
// origin timed out meanwhile pays a new TCP (and TLS) handshake over the link: two
// or three more round trips. Bytes are the relay's counts while the request runs; a
// sender's health probe (a connection of its own every 5 s while the link is quiet)
// that starts in that window is counted with them. New connections are those still
// open a moment after the answer: a probe has closed by then, a pooled connection not.

export interface IdleResult {
  /** Seconds of silence before the request. */
  readonly idleS: number
  readonly ms: number
  /** One round trip plus the request's bytes both ways at the link rate. */
  readonly floorMs: number
  readonly up: number
  readonly down: number
  /** Connections opened for this request and kept (pooled): 0 when the link stayed warm. */
  readonly newConnections: number
  readonly kind: string
}

/** Time after an answer by which any health probe started with it has closed. */
const PROBE_GONE_MS = 1500

/** One quiet spell for all contenders at once, then one request each, in turn. */
export async function runIdlePhase (testbed: WanTestbed, set: VersionSet, idleS: number, progress: WanProgress): Promise<Map<string, IdleResult>> {
  const results = new Map<string, IdleResult>()
  const visitor = new Agent({ connections: 1 })
  try {
    // The capacity search ends above what some contenders sustain: let the link drain.
    await testbed.link.quiet(120_000)
    for (const contender of testbed.contenders) {
      await resetSchedule(contender.origin.url, { every: 1, everyMs: undefined })
      const first = await fetchAsVisitor(visitor, `${contender.edge.url}/${set.name}`, VISITOR_HEADERS)
      if (first.status !== 200 || !first.body.equals(set.versions[0]!)) throw new WrongAnswerError(`${contender.spec.name}: GET /${set.name} before the quiet spell should have served version 1, got ${first.status}`)
    }
    await testbed.link.quiet()
    const until = performance.now() + idleS * 1000
    while (performance.now() < until) {
      progress.step(`link idle for ${idleS} s: ${Math.ceil((until - performance.now()) / 1000)} s left`)
      await sleep(Math.min(1000, Math.max(0, until - performance.now())))
    }
    progress.step(`link idle for ${idleS} s`, true)
    for (const contender of testbed.contenders) {
      const mark = await testbed.link.mark()
      const answer = await fetchAsVisitor(visitor, `${contender.edge.url}/${set.name}`, VISITOR_HEADERS)
      const usage = await testbed.link.usageSince(mark, contender.route)
      if (answer.status !== 200 || !answer.body.equals(set.versions[1]!)) throw new WrongAnswerError(`${contender.spec.name}: GET /${set.name} after the quiet spell should have served version 2, got ${answer.status}`)
      // A probe lingers up to 0.5 s for its TLS session ticket, then closes.
      await sleep(PROBE_GONE_MS)
      const kept = (await testbed.link.mark()).routes[contender.route]!.open - mark.routes[contender.route]!.open
      results.set(contender.spec.key, { idleS, ms: answer.ms, floorMs: floorMs(testbed.link.settings, usage.up, usage.down), up: usage.up, down: usage.down, newConnections: Math.max(0, kept), kind: answerKind(answer) })
    }
  } finally {
    await visitor.close()
  }
  return results
}
