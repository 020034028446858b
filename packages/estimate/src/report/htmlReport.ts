import { formatDuration } from '../duration.ts'
import type { EstimateResult } from '../estimateResult.ts'
import { renderBytesChart } from './bytesChart.ts'
import { formatBytes, formatPercent, METHOD_SHORT } from './formatBytes.ts'

// `--report FILE.html`: one self-contained file (inline SVG and CSS, no script, no
// asset from another host) that a team can mail around or attach to a ticket.

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

function row (cells: readonly string[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${cells.map(c => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`
}

export async function renderHtmlReport (result: EstimateResult): Promise<string> {
  const svg = await renderBytesChart(result)
  const polling = result.mode === 'poll'
  const methods = result.methods
  const groups = result.resources.map(r => ({ name: r.name, methods: r.methods }))
  if (result.resources.length > 1) groups.push({ name: 'all', methods: result.total.methods })

  const changeRows = result.resources.map(r => row([r.name, String(r.attempts), String(r.versionsSeen), String(r.distinctVersions), String(r.changes),
    ...(polling ? [r.changesPerHour === undefined ? '-' : r.changesPerHour.toFixed(1), r.meanChangeIntervalMs === undefined ? '-' : formatDuration(r.meanChangeIntervalMs)] : [])]))
  const byteRows = groups.map(g => row([g.name, ...methods.map(m => {
    const t = g.methods[m.name]
    return t?.perChange === undefined ? '-' : `${formatBytes(t.perChange)} (${formatPercent(t.percentOfPage)})`
  })]))
  const problems = result.resources.flatMap(r => r.problems.map(p => row([r.name, p.kind, p.detail, String(p.count)])))
  const notes = result.resources.flatMap(r => r.notes.map(n => `<li>${escapeHtml(`${r.name}: ${n}`)}</li>`))
  const unavailable = result.codecs.filter(c => !c.available).map(c => `<li>${escapeHtml(`${c.name}: not measured on Node ${result.node.slice(1)} (${c.reason ?? 'unavailable'})`)}</li>`)

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Coilgun estimate</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; min-width: 12rem; max-width: 28rem; overflow-wrap: anywhere; }
td { white-space: nowrap; } td:first-child { white-space: normal; }
figure { margin: 1rem 0; }
.note { color: #555; font-size: 13px; }
</style>
</head>
<body>
<h1>What Coilgun would save</h1>
<p class="note">coilgun-estimate ${escapeHtml(result.version)} on Node ${escapeHtml(result.node.slice(1))}, ${escapeHtml(result.startedAt)} to ${escapeHtml(result.finishedAt)}${result.interrupted ? ' (interrupted: figures measured until then)' : ''}. ${polling ? `Polled every ${escapeHtml(formatDuration(result.settings.everyMs))}.` : `Saved versions from ${escapeHtml(result.settings.dir ?? '')}.`}</p>
<figure>${svg}</figure>
<h2>Changes</h2>
<table>
${row(['resource', polling ? 'polls' : 'files', 'versions', 'distinct', 'changes', ...(polling ? ['changes/hour', 'every change'] : [])], 'th')}
${changeRows.join('\n')}
</table>
<h2>Bytes per change</h2>
<table>
${row(['resource', ...methods.map(m => METHOD_SHORT[m.name] ?? m.name)], 'th')}
${byteRows.join('\n')}
</table>
<ul class="note">${methods.map(m => `<li><b>${escapeHtml(METHOD_SHORT[m.name] ?? m.name)}</b>: ${escapeHtml(m.label)}</li>`).join('')}</ul>
${problems.length > 0 ? `<h2>Problems</h2>\n<table>\n${row(['resource', 'kind', 'detail', 'times'], 'th')}\n${problems.join('\n')}\n</table>` : ''}
${unavailable.length + notes.length > 0 ? `<ul>${[...unavailable, ...notes].join('')}</ul>` : ''}
<p class="note">Percentages are of the uncompressed pages' bytes. gzip -${result.method.gzipLevel} and brotli q${result.method.brotliQuality} are what a compressing proxy sends. Header overhead is ${escapeHtml(result.method.headerOverhead)}</p>
</body>
</html>
`
}
