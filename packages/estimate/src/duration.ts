import { ERR_ESTIMATE_ARGUMENT } from './errors.ts'

// Durations on the command line: a number and a unit (`500ms`, `60s`, `5m`, `1h`,
// `1d`). A bare number is refused: "60" could mean seconds or milliseconds.

const UNITS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 })
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/

/** Milliseconds in `text`; throws COILGUN_ERR_ESTIMATE_ARGUMENT naming `flag`. */
export function parseDuration (flag: string, text: string): number {
  const match = DURATION.exec(text.trim())
  const ms = match === null ? NaN : Number(match[1]) * UNITS[match[2]!]!
  if (!Number.isFinite(ms) || ms <= 0) throw new ERR_ESTIMATE_ARGUMENT(flag, `expected a duration such as 500ms, 60s, 5m or 1h, got "${text}"`)
  return Math.round(ms)
}

/** `1h 2m`, `45s`, `320ms`: for the table and the progress bar. */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms)) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = s % 60
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`
  return `${rest}s`
}
