import { parseArgs } from 'node:util'
import { DEFAULT_MAX_BODY_BYTES } from '@coilgun/core'
import { parseDuration } from './duration.ts'
import { ERR_ESTIMATE_ARGUMENT } from './errors.ts'

// The command line, resolved once into a frozen object (STYLE rule 3): every later
// step reads these fields, never argv.

/** Pause between two polls of one URL: a visitor who reloads once a minute. */
export const DEFAULT_EVERY_MS = 60_000
/** How long polling runs. */
export const DEFAULT_FOR_MS = 3_600_000
/** Requests in flight at once, over all URLs: one small site's worth of politeness. */
export const DEFAULT_CONCURRENCY = 4
/** Longest wait for one whole answer (headers and body). */
export const DEFAULT_TIMEOUT_MS = 30_000
/** Bodies larger than this are refused ("too large"): the same cap Coilgun itself applies. */
export const DEFAULT_MAX_BYTES = DEFAULT_MAX_BODY_BYTES
/** Smallest `--every` for a URL on another host: closer polling is rude to a real site. */
export const MIN_EVERY_MS = 1000
/** Smallest `--every` when every URL is on this machine (tests, local replays of snapshots). */
export const MIN_EVERY_LOOPBACK_MS = 10

export interface EstimateOptions {
  /** `poll` with URLs, `dir` with `--dir`. */
  readonly mode: 'poll' | 'dir'
  /** The URLs to poll (mode `poll`), http or https. */
  readonly urls: readonly URL[]
  /** The folder of saved versions (mode `dir`). */
  readonly dir: string | undefined
  /**
   * Least time between the starts of two polls of one URL (`--every`). At least
   * MIN_EVERY_MS, or MIN_EVERY_LOOPBACK_MS when every URL is on loopback.
   * @default 60000 (DEFAULT_EVERY_MS)
   */
  readonly everyMs: number
  /**
   * How long polling runs (`--for`).
   * @default 3600000 (DEFAULT_FOR_MS)
   */
  readonly forMs: number
  /**
   * Stop after this many polls of each URL, even before `forMs` is over (`--polls`).
   * @default undefined (no limit but `forMs`)
   */
  readonly polls: number | undefined
  /**
   * Requests in flight at once over all URLs (`--concurrency`). More finishes a long
   * list sooner; each URL still waits `everyMs` between its own polls.
   * @default 4 (DEFAULT_CONCURRENCY)
   */
  readonly concurrency: number
  /**
   * Longest wait for one whole answer, headers and body (`--timeout`).
   * @default 30000 (DEFAULT_TIMEOUT_MS)
   */
  readonly timeoutMs: number
  /**
   * Largest body accepted, as sent and once decoded, and largest saved file
   * (`--max-bytes`). It also bounds memory: one body per URL is kept.
   * @default 8388608 (DEFAULT_MAX_BYTES, Coilgun's own limit)
   */
  readonly maxBytes: number
  /** Where `--save` writes every polled version, in the layout `--dir` reads. */
  readonly saveDir: string | undefined
  /** Where `--json` writes every figure. */
  readonly jsonFile: string | undefined
  /** Where `--report` writes the HTML report. */
  readonly reportFile: string | undefined
  readonly help: boolean
  readonly version: boolean
}

export const USAGE = `Usage:
  coilgun-estimate [options] URL...      poll pages as a visitor would and measure their changes
  coilgun-estimate [options] --dir DIR   measure saved versions (files in name order,
                                         or one sub-folder of files per resource)

Options:
  --every DURATION     pause between two polls of a URL (default 60s; at least 1s,
                       or 10ms when every URL is on loopback)
  --for DURATION       how long to poll (default 1h)
  --polls N            stop after N polls of each URL
  --concurrency N      requests in flight at once (default ${DEFAULT_CONCURRENCY})
  --timeout DURATION   longest wait for one answer (default 30s)
  --max-bytes N        largest body accepted (default ${DEFAULT_MAX_BYTES})
  --save FOLDER        keep every polled version there (one sub-folder per URL),
                       for a later --dir FOLDER
  --json FILE          write every figure as JSON
  --report FILE.html   write a self-contained HTML report with a chart
  --help, --version

Durations: 500ms, 60s, 5m, 1h. Ctrl-C stops, prints the report so far and exits 130.`

function positiveInteger (flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN
  if (!Number.isSafeInteger(n) || n < 1) throw new ERR_ESTIMATE_ARGUMENT(flag, `expected a whole number >= 1, got "${text}"`)
  return n
}

function isLoopback (url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

function parseUrl (text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ERR_ESTIMATE_ARGUMENT('URL', `expected an http:// or https:// URL, got "${text}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ERR_ESTIMATE_ARGUMENT('URL', `expected an http:// or https:// URL, got "${text}"`)
  return url
}

/** Parses argv (without node and the script); throws COILGUN_ERR_ESTIMATE_ARGUMENT. */
export function resolveEstimateOptions (argv: readonly string[]): EstimateOptions {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        every: { type: 'string' },
        for: { type: 'string' },
        polls: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        'max-bytes': { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'string' },
        save: { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
      }
    })
  } catch (err) {
    throw new ERR_ESTIMATE_ARGUMENT('(command line)', (err as Error).message)
  }
  const v = parsed.values
  const help = v.help === true
  const version = v.version === true
  const urls = parsed.positionals.map(parseUrl)
  const dir = v.dir
  if (!help && !version) {
    if (dir !== undefined && urls.length > 0) throw new ERR_ESTIMATE_ARGUMENT('--dir', 'give either URLs or --dir, not both')
    if (dir === undefined && urls.length === 0) throw new ERR_ESTIMATE_ARGUMENT('URL', 'expected at least one URL, or --dir FOLDER (see --help)')
    if (dir !== undefined && dir.trim() === '') throw new ERR_ESTIMATE_ARGUMENT('--dir', 'expected a folder')
  }
  const everyMs = v.every === undefined ? DEFAULT_EVERY_MS : parseDuration('--every', v.every)
  const minEvery = urls.length > 0 && urls.every(isLoopback) ? MIN_EVERY_LOOPBACK_MS : MIN_EVERY_MS
  if (dir === undefined && everyMs < minEvery) throw new ERR_ESTIMATE_ARGUMENT('--every', `expected at least ${minEvery}ms${minEvery === MIN_EVERY_MS ? ` (${MIN_EVERY_LOOPBACK_MS}ms is allowed only when every URL is on loopback)` : ''}, got "${v.every ?? ''}"`)
  if (v.save !== undefined && dir !== undefined) throw new ERR_ESTIMATE_ARGUMENT('--save', 'keeps polled versions; with --dir they are already saved')
  for (const [flag, file] of [['--json', v.json], ['--report', v.report], ['--save', v.save]] as const) {
    if (file !== undefined && file.trim() === '') throw new ERR_ESTIMATE_ARGUMENT(flag, 'expected a file name')
  }
  return Object.freeze({
    mode: dir === undefined ? 'poll' : 'dir',
    urls: Object.freeze(urls),
    dir,
    everyMs,
    forMs: v.for === undefined ? DEFAULT_FOR_MS : parseDuration('--for', v.for),
    polls: v.polls === undefined ? undefined : positiveInteger('--polls', v.polls, 1),
    concurrency: positiveInteger('--concurrency', v.concurrency, DEFAULT_CONCURRENCY),
    timeoutMs: v.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration('--timeout', v.timeout),
    maxBytes: positiveInteger('--max-bytes', v['max-bytes'], DEFAULT_MAX_BYTES),
    saveDir: v.save,
    jsonFile: v.json,
    reportFile: v.report,
    help,
    version
  })
}
