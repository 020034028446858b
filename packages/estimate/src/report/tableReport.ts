import Table from 'cli-table3'
import { formatDuration } from '../duration.ts'
import type { EstimateResult, MethodTotals } from '../estimateResult.ts'
import { formatBytes, formatPercent, METHOD_SHORT } from './formatBytes.ts'

// The terminal report: how often each resource changed, then bytes per change by
// method (with the share of the uncompressed page), then what went wrong per
// resource and how the figures were made. Drawn with cli-table3, without colours so
// that it reads the same in a log.

const PLAIN = { head: [], border: [], compact: true }
const NAME_WIDTH = 48

function shortName (name: string): string {
  return name.length <= NAME_WIDTH ? name : `…${name.slice(-(NAME_WIDTH - 1))}`
}

/** Bytes per change, and the share of the page (left out for the page itself). */
function cell (t: MethodTotals | undefined, method: string): string {
  if (t === undefined || t.perChange === undefined) return '-'
  return method === 'identity' ? formatBytes(t.perChange) : `${formatBytes(t.perChange)} ${formatPercent(t.percentOfPage)}`
}

export function renderTable (result: EstimateResult): string {
  const lines: string[] = []
  if (result.interrupted) lines.push('Interrupted (Ctrl-C): figures measured until then.')
  const polling = result.mode === 'poll'

  const changes = new Table({
    head: ['resource', polling ? 'polls' : 'files', 'versions', 'distinct', 'changes', ...(polling ? ['changes/hour', 'every change'] : []), 'problems'],
    style: PLAIN
  })
  for (const r of result.resources) {
    changes.push([shortName(r.name), r.attempts, r.versionsSeen, r.distinctVersions, r.changes,
      ...(polling ? [r.changesPerHour === undefined ? '-' : r.changesPerHour.toFixed(1), r.meanChangeIntervalMs === undefined ? '-' : formatDuration(r.meanChangeIntervalMs)] : []),
      r.problems.reduce((n, p) => n + p.count, 0)])
  }
  if (result.resources.length > 1) {
    const t = result.total
    changes.push(['all', t.attempts, t.versionsSeen, t.distinctVersions, t.changes, ...(polling ? [t.changesPerHour === undefined ? '-' : t.changesPerHour.toFixed(1), ''] : []), t.problems])
  }
  lines.push(changes.toString())

  const methods = result.methods.map(m => m.name)
  const bytes = new Table({ head: ['bytes per change', ...methods.map(m => METHOD_SHORT[m] ?? m)], colAligns: ['left', ...methods.map(() => 'right' as const)], style: PLAIN })
  for (const r of result.resources) bytes.push([shortName(r.name), ...methods.map(m => cell(r.methods[m], m))])
  if (result.resources.length > 1) bytes.push(['all', ...methods.map(m => cell(result.total.methods[m], m))])
  lines.push(bytes.toString())

  for (const r of result.resources) {
    for (const p of r.problems) lines.push(`${r.name}: ${p.kind} (${p.detail}) x${p.count}`)
    for (const n of r.notes) lines.push(`${r.name}: ${n}`)
  }
  for (const c of result.codecs) if (!c.available) lines.push(`${c.name}: not measured, unavailable on Node ${result.node.slice(1)} (${c.reason ?? 'unavailable'})`)
  const link = methods.filter(m => m.startsWith('link-')).map(m => {
    const forms = Object.entries(result.total.methods[m]?.forms ?? {}).map(([form, n]) => `${n} ${form}`).join(', ')
    return `${m.slice(5)}: ${forms === '' ? 'no change' : forms}`
  })
  if (link.length > 0) lines.push(`Link answers: ${link.join('; ')}.`)
  lines.push(`page = uncompressed; gzip -${result.method.gzipLevel} and brotli q${result.method.brotliQuality} = what a compressing proxy sends; link = Coilgun between edge and origin, header lines included (measured on each exchange); visitor = a browser back after one version with it as RFC 9842 dictionary.`)
  return `${lines.join('\n')}\n`
}
