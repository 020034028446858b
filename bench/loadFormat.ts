// Number formats of the load benchmarks' tables: as many digits as the noise of a
// shared 2-core machine allows, and a dash for what was not measured.

export const DASH = '—'

/** coilgun-sender's answer outcomes (servers/sender.ts counts them), with their labels. */
export const SENDER_OUTCOMES = [['delta', 'delta'], ['notModified', '304'], ['full', 'full'], ['fallback', 'refetch'], ['passthrough', 'passthrough'], ['error', 'error']] as const

export function rate (rps: number): string {
  return Number.isFinite(rps) ? rps.toFixed(0) : DASH
}

/** A ratio to the peer: `0.93x`, `12x`. */
export function ratio (x: number): string {
  if (!Number.isFinite(x)) return DASH
  return x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`
}

export function ms (x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return DASH
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}

/** Bytes in B, KB or MB (powers of 10, as the codecs report). */
export function bytes (n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return DASH
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)} KB`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`
  return `${n.toFixed(0)} B`
}

/** A share in percent, with more digits for small ones. */
export function percent (x: number): string {
  if (!Number.isFinite(x)) return DASH
  return x >= 10 ? `${x.toFixed(0)}%` : x >= 1 ? `${x.toFixed(1)}%` : `${x.toFixed(2)}%`
}

/** `> **SYNTHETIC DATA ...**`, or the corpus folder and, for a quick run, what `--quick` left out. */
export function sourceLine (synthetic: boolean, source: string, quick: boolean, quickNote = 'one short round, not a record'): string {
  if (synthetic) return `> **SYNTHETIC DATA: ${source}.** The figures below come from generated versions, not real pages: do not quote them.`
  return `Corpus: \`${source}\`${quick ? ` (**--quick**: ${quickNote})` : ''}.`
}
