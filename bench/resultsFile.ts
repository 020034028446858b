import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

// Every benchmark keeps its raw results in bench/results/<name>.json: the latest run
// per Node major version, so Node 20 and Node 24 stand side by side.

/** The results file of one benchmark. */
export interface ResultsFile<R> {
  readonly about: string
  readonly runs: Record<string, R>
}

/** `node20`, `node24`: the key of a run in the results file and in BENCHMARKS.md. */
export function runKey (node: string): string {
  return `node${node.split('.')[0]}`
}

function readExisting<R> (file: string): Record<string, R> {
  if (!existsSync(file)) return {}
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ResultsFile<R>>
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
 * Puts every object without nested objects or arrays (one pair's or one round's
 * figures) on one line: the file stays diffable without spending nine lines on each.
 */
function compactLeaves (json: string): string {
  return json.replace(/\{\n([^{}[\]]*?)\n\s*\}/g, function oneLine (_match, body: string) {
    return `{ ${body.split('\n').map(line => line.trim()).join(' ')} }`
  })
}

/**
 * Stores the run under its Node major version in `file`, keeping the other
 * versions' runs. Written to a temporary file first, so an interrupted run never
 * leaves half a JSON document.
 */
export function saveRunRecord<R extends { readonly node: string }> (file: string, about: string, record: R): void {
  const runs = readExisting<R>(file)
  runs[runKey(record.node)] = record
  const sorted = Object.fromEntries(Object.entries(runs).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })))
  const content: ResultsFile<R> = { about, runs: sorted }
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  writeFileSync(tmp, `${compactLeaves(JSON.stringify(content, sixDigits, 2))}\n`)
  renameSync(tmp, file)
}
