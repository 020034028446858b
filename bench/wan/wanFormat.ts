import { bytes, DASH, ms } from '../loadFormat.ts'

// Number formats of the WAN report on top of bench/loadFormat.ts: every figure
// comes with its ratio to the baseline of the same run.

/** A ratio with two significant digits: `0.0042x`, `0.52x`, `3.1x`, `48x`. */
export function times (x: number): string {
  if (!Number.isFinite(x) || x <= 0) return DASH
  if (x >= 10) return `${x.toFixed(0)}x`
  return `${Number(x.toPrecision(2))}x`
}

/** `value (ratio to the baseline)`; the baseline's own row says `peer`. */
export function withRatio (text: string, value: number, baseline: number, isBaseline: boolean): string {
  if (text === DASH) return DASH
  return isBaseline ? `${text} (peer)` : `${text} (${times(value / baseline)})`
}

export function bytesVs (value: number, baseline: number, isBaseline: boolean): string {
  return withRatio(bytes(value), value, baseline, isBaseline)
}

export function msVs (value: number, baseline: number, isBaseline: boolean): string {
  return withRatio(ms(value), value, baseline, isBaseline)
}

/** Latency over the limit (an abandoned request) reads `> 1000`. */
export function msOrOver (value: number, limitMs: number): string {
  return Number.isFinite(value) ? ms(value) : `> ${limitMs}`
}

/** Requests per second with as many digits as they need: those of {@link ms}. */
export const rps = ms

/** Answer kinds with their share: `98% delta vcdiff+gzip, 2% full`. */
export function kindsText (kinds: Readonly<Record<string, number>>): string {
  const total = Object.values(kinds).reduce((s, n) => s + n, 0)
  if (total === 0) return DASH
  return Object.entries(kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${Math.round(100 * n / total)}% ${k}`).join(', ')
}

/** `1 round`, `3 rounds`. */
export function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
