import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TopLevelSpec } from 'vega-lite'
import { chartFrame, renderSvg } from '../vegaSvg.ts'
import type { WanRecord } from './wanRecord.ts'
import { summarizeReplay } from './wanSummary.ts'

// The WAN report's charts (issue 7), drawn by Vega-Lite and rendered to SVG by
// Vega without a browser or a canvas: bytes over the link per changed page, the
// latency distribution at fixed concurrency, and p99 against offered load.

/** Under the chart, full contender names (Vega truncates long labels by default). */
const LEGEND = { orient: 'bottom', columns: 2, title: null, labelLimit: 0 } as const
/** Floor of the bytes chart's log axis: bars on a log scale need a baseline above zero. */
const BYTES_AXIS_MIN = 100

function subtitle (record: WanRecord): string {
  return `${record.link.mbitPerS} Mbit/s, ${record.link.rttMs} ms RTT; Node ${record.node}, ${record.date.slice(0, 10)}`
}

function contenderScale (record: WanRecord): { domain: string[] } {
  return { domain: record.contenders.map(c => c.name) }
}

export function bytesChart (record: WanRecord): TopLevelSpec {
  const values = record.contenders.flatMap(c => [
    ...record.sets.map(s => ({ contender: c.name, set: s.name, bytes: summarizeReplay(c, s.name).bytesPerChange })),
    { contender: c.name, set: 'all sets', bytes: summarizeReplay(c).bytesPerChange }
  ])
  // The next power of ten above the largest bar, so no bar runs into the frame.
  const top = 10 ** Math.ceil(Math.log10(Math.max(BYTES_AXIS_MIN * 10, ...values.map(v => v.bytes).filter(Number.isFinite))))
  return {
    ...chartFrame('Bytes over the link per changed page (both directions, log scale)', subtitle(record)),
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'set', type: 'nominal', title: null, sort: [...record.sets.map(s => s.name), 'all sets'], axis: { labelAngle: 0, labelLimit: 0 } },
      xOffset: { field: 'contender', type: 'nominal', sort: contenderScale(record).domain },
      y: { field: 'bytes', type: 'quantitative', scale: { type: 'log', domain: [BYTES_AXIS_MIN, top] }, title: 'bytes per changed page' },
      y2: { datum: BYTES_AXIS_MIN },
      color: { field: 'contender', type: 'nominal', scale: contenderScale(record), legend: LEGEND }
    }
  }
}

export function latencyChart (record: WanRecord): TopLevelSpec {
  const values = record.contenders.flatMap(c => c.load.distribution.map(([percentile, ms]) => ({ contender: c.name, percentile, ms })))
  return {
    ...chartFrame(`Visitor latency at ${record.settings.connections} visitors at once (all rounds)`, subtitle(record)),
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency, ms (log scale)' },
      y: { field: 'percentile', type: 'quantitative', title: 'percentile', scale: { domain: [0, 100] } },
      color: { field: 'contender', type: 'nominal', scale: contenderScale(record), legend: LEGEND }
    }
  }
}

export function capacityChart (record: WanRecord): TopLevelSpec {
  const limit = record.settings.limitMs
  // An abandoned request makes p99 unbounded: drawn at twice the limit.
  const ceiling = 2 * limit
  const values = record.contenders.flatMap(c => c.capacity.steps.map(s => ({ contender: c.name, rate: s.rate, p99: Math.min(ceiling, Number.isFinite(s.p99Ms) ? s.p99Ms : ceiling) })))
  return {
    ...chartFrame(`p99 latency against offered load (limit ${limit} ms; capped at ${ceiling} ms)`, subtitle(record)),
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'rate', type: 'quantitative', scale: { type: 'log' }, title: 'offered requests/s (log scale)' },
          y: { field: 'p99', type: 'quantitative', scale: { type: 'log' }, title: 'p99 latency, ms (log scale)' },
          color: { field: 'contender', type: 'nominal', scale: contenderScale(record), legend: LEGEND },
          order: { field: 'rate', type: 'quantitative' }
        }
      },
      { data: { values: [{ limit }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'limit', type: 'quantitative' } } }
    ]
  }
}

/** Writes the three charts as `<dir>/wan-<key>-{bytes,latency,capacity}.svg`; returns their paths. */
export async function writeWanCharts (record: WanRecord, dir: string, key: string): Promise<{ bytes: string, latency: string, capacity: string }> {
  mkdirSync(dir, { recursive: true })
  const files = { bytes: join(dir, `wan-${key}-bytes.svg`), latency: join(dir, `wan-${key}-latency.svg`), capacity: join(dir, `wan-${key}-capacity.svg`) }
  writeFileSync(files.bytes, await renderSvg(bytesChart(record)))
  writeFileSync(files.latency, await renderSvg(latencyChart(record)))
  writeFileSync(files.capacity, await renderSvg(capacityChart(record)))
  return files
}
