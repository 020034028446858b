import type { Machine } from '../machine.ts'
import { saveRunRecord } from '../resultsFile.ts'
import type { CapacityResult } from './capacityPhase.ts'
import type { CapacityPlan } from './capacitySearch.ts'
import type { IdleResult } from './idlePhase.ts'
import type { LinkCheck } from './linkCheck.ts'
import type { LinkSettings } from './linkSettings.ts'
import type { LoadContenderResult } from './loadPhase.ts'
import type { ReplaySetResult } from './replayPhase.ts'
import type { SetProfile } from './setProfile.ts'
import type { SchedulePlan } from './versionSchedule.ts'
import type { ContenderFamily } from './wanContenders.ts'

export interface WanContenderRecord {
  readonly key: string
  readonly name: string
  readonly family: ContenderFamily
  readonly edge: string
  readonly origin: string
  /** Every change of every set, one request at a time on an idle link. */
  readonly replay: readonly ReplaySetResult[]
  /** Fixed concurrency, rounds alternating with the other contenders. */
  readonly load: LoadContenderResult
  readonly capacity: CapacityResult
  /** The first request after a quiet spell (absent in older records and with --idle 0). */
  readonly idle?: IdleResult
}

export interface WanSettings {
  readonly connections: number
  readonly rounds: number
  readonly durationS: number
  readonly warmupS: number
  readonly schedule: SchedulePlan
  readonly upstreamConnections: number
  readonly limitMs: number
  readonly capacity: CapacityPlan
  readonly stepS: number
  readonly stepMinRequests: number
  readonly stepMaxS: number
  readonly visitorHeaders: Readonly<Record<string, string>>
  readonly idleS?: number
}

export interface WanRecord extends Machine {
  readonly benchmark: 'wan'
  readonly quick: boolean
  readonly synthetic: boolean
  readonly source: string
  readonly link: LinkSettings
  readonly linkCheck: LinkCheck
  readonly sets: readonly SetProfile[]
  readonly settings: WanSettings
  readonly contenders: readonly WanContenderRecord[]
  /** Contenders this Node cannot run, and why. */
  readonly unavailable: ReadonlyArray<{ readonly key: string, readonly name: string, readonly reason: string }>
  /** Chart files, relative to the repository (undefined when none were written). */
  readonly charts: { readonly bytes: string, readonly latency: string, readonly capacity: string } | undefined
}

const ABOUT = 'Raw results of bench/wan.ts (issue 7): the latest full run per Node major version. Times in ms, sizes in bytes, rates in requests/s; "replay" holds every change of every corpus set on an idle link, "load" every round at fixed concurrency, "capacity" every step of the open-loop rate search (null latency: more than 1% of requests unanswered within the limit).'

export function saveWanRecord (file: string, record: WanRecord): void {
  saveRunRecord(file, ABOUT, record)
}
