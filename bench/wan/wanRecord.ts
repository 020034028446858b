import type { Machine } from '../machine.ts'
import type { CapacityResult } from './capacityPhase.ts'
import type { IdleResult } from './idlePhase.ts'
import type { LinkCheck } from './linkCheck.ts'
import type { LinkSettings } from './linkSettings.ts'
import type { LoadContenderResult } from './loadPhase.ts'
import type { ReplaySetResult } from './replayPhase.ts'
import type { SetProfile } from './setProfile.ts'
import type { WanContenderSpec } from './wanContenders.ts'
import type { WanOptions } from './wanOptions.ts'

/** One contender as WAN_CONTENDERS describes it, and what it measured. */
export interface WanContenderRecord extends Pick<WanContenderSpec, 'key' | 'name' | 'family' | 'edge' | 'origin'> {
  /** Every change of every set, one request at a time on an idle link. */
  readonly replay: readonly ReplaySetResult[]
  /** Fixed concurrency, rounds alternating with the other contenders. */
  readonly load: LoadContenderResult
  readonly capacity: CapacityResult
  /** The first request after a quiet spell (absent in older records and with --idle 0). */
  readonly idle?: IdleResult
}

/** The run's settings as the options resolved them (`idleS` is absent in older records). */
export interface WanSettings extends Pick<WanOptions, 'connections' | 'rounds' | 'durationS' | 'warmupS' | 'schedule' | 'limitMs' | 'capacity' | 'stepS' | 'stepMinRequests' | 'stepMaxS'>, Partial<Pick<WanOptions, 'idleS'>> {
  readonly upstreamConnections: number
  readonly visitorHeaders: Readonly<Record<string, string>>
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

export const WAN_ABOUT = 'Raw results of bench/wan.ts (issue 7): the latest full run per Node major version. Times in ms, sizes in bytes, rates in requests/s; "replay" holds every change of every corpus set on an idle link, "load" every round at fixed concurrency, "capacity" every step of the open-loop rate search (null latency: more than 1% of requests unanswered within the limit).'
