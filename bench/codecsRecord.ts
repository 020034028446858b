import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { PairResult } from './codecsMeasure.ts'
import type { ContenderSummary } from './codecsSummary.ts'

/** One contender on one set: the summary plus every pair, for later analysis. */
export interface ContenderRecord extends ContenderSummary {
  readonly perPair: readonly PairResult[]
}

export interface SetRecord {
  readonly name: string
  readonly versions: number
  readonly pairs: number
  /** Sum of the new versions' sizes: what the percentages are shares of. */
  readonly rawTargetBytes: number
  readonly contenders: readonly ContenderRecord[]
}

export interface ToolRecord {
  readonly name: string
  readonly version: string | undefined
  readonly spawnMs: number | undefined
}

/** Everything one run measured, with what it ran on. */
export interface CodecRunRecord {
  readonly benchmark: 'codecs'
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly platform: string
  readonly quick: boolean
  readonly synthetic: boolean
  /** Corpus folder, or why synthetic versions were used. */
  readonly source: string
  readonly settings: {
    readonly repeats: number
    readonly budgetMs: number
    readonly goalEncodeMsPerMB: number
    readonly goalDecodeMsPerMB: number
    readonly bytesPerMB: number
  }
  readonly tools: readonly ToolRecord[]
  readonly sets: readonly SetRecord[]
}

/** The results file: the latest run per Node major version (`node20`, `node24`). */
export interface CodecResultsFile {
  readonly about: string
  readonly runs: Record<string, CodecRunRecord>
}

const ABOUT = 'Raw results of bench/codecs.ts: the latest full run per Node major version. Sizes in bytes, times in ms (fastest timed run per pair).'

export function runKey (node: string): string {
  return `node${node.split('.')[0]}`
}

function readExisting (file: string): Record<string, CodecRunRecord> {
  if (!existsSync(file)) return {}
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CodecResultsFile>
    return typeof parsed.runs === 'object' && parsed.runs !== null ? { ...parsed.runs } : {}
  } catch {
    // A damaged file is replaced, not merged: the run being written is the record now.
    return {}
  }
}

/** Timer and ratio noise beyond six significant digits is not worth a diff. */
function sixDigits (_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value
}

/**
 * Puts every object without nested objects or arrays (one pair's figures) on one
 * line: the file stays diffable without spending nine lines per pair.
 */
function compactLeaves (json: string): string {
  return json.replace(/\{\n([^{}[\]]*?)\n\s*\}/g, function oneLine (_match, body: string) {
    return `{ ${body.split('\n').map(line => line.trim()).join(' ')} }`
  })
}

/**
 * Stores the run under its Node major version in `file`, keeping the other
 * versions' runs: the record holds Node 20 and Node 24 side by side. Written to a
 * temporary file first, so an interrupted run never leaves half a JSON document.
 */
export function saveRun (file: string, record: CodecRunRecord): void {
  const runs = readExisting(file)
  runs[runKey(record.node)] = record
  const sorted = Object.fromEntries(Object.entries(runs).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })))
  const content: CodecResultsFile = { about: ABOUT, runs: sorted }
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  writeFileSync(tmp, `${compactLeaves(JSON.stringify(content, sixDigits, 2))}\n`)
  renameSync(tmp, file)
}
