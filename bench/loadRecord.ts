import { loadCodecs } from '@coilgun/core'
import { loadBenchPage } from '@coilgun/fixtures/benchPage'
import type { BenchPage } from '@coilgun/fixtures/benchPage'
import { checkVersionsSource } from './benchMain.ts'
import type { LoadBenchOptions } from './loadOptions.ts'
import { describeMachine } from './machine.ts'
import type { Machine } from './machine.ts'
import type { Progress } from './progress.ts'

// What the load benchmarks (plugin overhead, sender throughput) record about every
// run alike, and the page they load.

/** Settings shared by the load benchmarks' records. */
export type LoadSettings = Pick<LoadBenchOptions, 'rounds' | 'durationS' | 'warmupS' | 'connections'>

export interface PageRecord {
  readonly name: string
  readonly contentType: string
  /** Sizes of every version used; [0] is the base a sender holds, [1] the page served. */
  readonly versionBytes: readonly number[]
}

/** The fields every load benchmark's record starts with. */
export interface LoadRunCommon extends Machine {
  readonly quick: boolean
  readonly synthetic: boolean
  readonly source: string
  readonly page: PageRecord
  /** Delta codecs this Node can run: what the load requests offer, or the sender runs. */
  readonly codecs: readonly string[]
  readonly settings: LoadSettings
}

/** The bench page, after {@link checkVersionsSource}. */
export async function loadBenchPageFor (options: LoadBenchOptions, progress: Progress): Promise<BenchPage> {
  const page = await loadBenchPage(options.corpus)
  checkVersionsSource(options, page, progress)
  return page
}

export async function loadRunCommon (options: LoadBenchOptions, page: BenchPage): Promise<LoadRunCommon> {
  const codecs = await loadCodecs()
  return {
    ...describeMachine(),
    quick: options.quick,
    synthetic: page.synthetic,
    source: page.source,
    page: { name: page.name, contentType: page.contentType, versionBytes: page.versions.map(v => v.length) },
    codecs: [...codecs.values()].filter(c => c.available).map(c => c.name),
    settings: { rounds: options.rounds, durationS: options.durationS, warmupS: options.warmupS, connections: options.connections }
  }
}
