import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'

// The command line of the recorded benchmarks (codecs, load, WAN): strict parsing,
// `--help`, and one-line usage errors, the same for all of them.

/** A command line the bench cannot honour; reported as one line, without a stack. */
export class BenchUsageError extends Error {
  readonly code = 'COILGUN_BENCH_USAGE'
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const
type Parsed<T extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[], strict: true, options: T & typeof HELP }>>['values']

/**
 * Parses `argv` strictly against `options` (plus `--help`, which prints `usage` and
 * exits). `pnpm run x -- --write` may hand the separator through; it is dropped. An
 * unknown or malformed option is a BenchUsageError carrying the usage.
 */
export function parseBenchArgs<const T extends OptionsConfig> (argv: readonly string[], options: T, usage: string): Parsed<T> {
  let parsed
  try {
    parsed = parseArgs({ args: argv.filter(a => a !== '--'), strict: true, options: { ...options, ...HELP } })
  } catch (err) {
    throw new BenchUsageError(`${(err as Error).message}\n${usage}`)
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    console.log(usage)
    process.exit(0)
  }
  return parsed.values as Parsed<T>
}

/** The options every recorded benchmark (codecs, load, WAN) takes. */
export interface RecordedRunOptions {
  /** A short run for tests and demos: never recorded. */
  readonly quick: boolean
  /** Replace this Node version's block in the benchmark's BENCHMARKS.md section. */
  readonly write: boolean
  /** Corpus folder; undefined means the default of @coilgun/fixtures/corpus. */
  readonly corpus: string | undefined
  /** JSON file for the raw results; undefined means bench/results/<name>.json (full runs only). */
  readonly out: string | undefined
}

const RECORDED = {
  quick: { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
  corpus: { type: 'string' },
  out: { type: 'string' }
} as const

/**
 * {@link parseBenchArgs} with the options of {@link RecordedRunOptions} added to
 * `options`: `recorded` holds those, `values` the bench's own. --write with --quick
 * is a usage error.
 */
export function parseRecordedArgs<const T extends OptionsConfig> (argv: readonly string[], options: T, usage: string): { recorded: RecordedRunOptions, values: Parsed<T & typeof RECORDED> } {
  const values = parseBenchArgs(argv, { ...RECORDED, ...options }, usage)
  const { quick, write, corpus, out } = values as unknown as RecordedRunOptions
  if (write && quick) throw new BenchUsageError('--write records full runs only: drop --quick')
  return { recorded: { quick, write, corpus, out }, values }
}

/** A positive number (an integer when `integer`) given as `--name`, or `fallback`. */
export function positiveOption (name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
    throw new BenchUsageError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${raw}"`)
  }
  return value
}
