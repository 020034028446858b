/** `812 B`, `12.4 KiB`, `1.52 MiB`: bytes as people read them in a table. */
export function formatBytes (bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-'
  if (bytes < 1024) return `${Math.round(bytes)} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}

/** `0.48%`, `15.8%`: a share of the page, with two significant digits below 1%. */
export function formatPercent (percent: number | undefined): string {
  if (percent === undefined || !Number.isFinite(percent)) return '-'
  return percent < 1 ? `${percent.toFixed(2)}%` : `${percent.toFixed(1)}%`
}

/** Short column names for the methods. */
export const METHOD_SHORT: Readonly<Record<string, string>> = Object.freeze({
  identity: 'page',
  gzip: 'gzip',
  br: 'brotli',
  'link-vcdiff': 'link vcdiff',
  'link-dcz': 'link dcz',
  'link-dcb': 'link dcb',
  'visitor-dcz': 'visitor dcz',
  'visitor-dcb': 'visitor dcb'
})
