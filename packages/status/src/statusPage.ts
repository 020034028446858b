import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

// The status page (issue 19): one self-contained HTML document, with the charting
// library (uPlot, MIT, ~50 KB) inlined, so it loads nothing from other hosts; it polls
// `status.json` beside it. It shows totals, figures and resource paths only: no
// secret, no header value, no query string.

/** Served with the page: nothing may load from elsewhere, and the page may only fetch its own JSON. */
export const STATUS_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

let cached: string | undefined

function uplotAssets (): { js: string, css: string } {
  const require = createRequire(import.meta.url)
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')
  return { js, css }
}

/** Escapes `</` so inlined code cannot end its own <script> element. */
function inline (code: string): string {
  return code.replace(/<\//g, '<\\/')
}

/** The page's own script: fetches status.json and draws the charts and the table. */
const PAGE_SCRIPT = String.raw`
(function () {
  'use strict'
  var charts = {}
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04']
  function fmtBytes (n) {
    if (n == null) return '-'
    var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0
    while (Math.abs(n) >= 1000 && i < u.length - 1) { n /= 1000; i++ }
    return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + ' ' + u[i]
  }
  function keysOf (points, field) {
    var seen = {}
    points.forEach(function (p) { Object.keys(p[field] || {}).forEach(function (k) { seen[k] = true }) })
    return Object.keys(seen).sort()
  }
  function draw (id, title, names, columns, opts) {
    var el = document.getElementById(id)
    var nonEmpty = columns.slice(1).reduce(function (n, c) { return n + c.filter(function (v) { return v != null && v > 0 }).length }, 0)
    el.setAttribute('data-points', String(columns[0].length))
    el.setAttribute('data-nonzero', String(nonEmpty))
    var key = names.join('|')
    if (charts[id] && charts[id].key === key) { charts[id].plot.setData(columns); return }
    if (charts[id]) charts[id].plot.destroy()
    var series = [{}].concat(names.map(function (n, i) {
      return { label: n, stroke: palette[i % palette.length], width: 2, value: function (u, v) { return v == null ? '-' : (opts.bytes ? fmtBytes(v) : (Math.round(v * 10) / 10)) } }
    }))
    var plot = new uPlot({
      title: title, width: Math.min(560, window.innerWidth - 40), height: 220, series: series,
      axes: [{}, { values: function (u, vals) { return vals.map(function (v) { return opts.bytes ? fmtBytes(v) : v }) }, size: 70 }]
    }, columns, el)
    charts[id] = { plot: plot, key: key }
  }
  function render (s) {
    var pts = s.points
    var t = pts.map(function (p) { return p.t / 1000 })
    document.getElementById('service').textContent = s.service
    var saved = s.totals.pageBytes > 0 ? (100 * (1 - s.totals.linkBytes / s.totals.pageBytes)).toFixed(1) + '%' : '-'
    document.getElementById('totals').textContent = fmtBytes(s.totals.linkBytes) + ' crossed the link for ' + fmtBytes(s.totals.pageBytes) + ' of pages served (' + saved + ' less) since ' + new Date(s.startedAt).toLocaleString()
    draw('chart-bytes', 'Bytes per interval: link vs pages served', ['link', 'pages served'], [t, pts.map(function (p) { return p.linkBytes }), pts.map(function (p) { return p.pageBytes })], { bytes: true })
    var outcomes = keysOf(pts, 'outcomes')
    draw('chart-outcomes', 'Answers by outcome', outcomes, [t].concat(outcomes.map(function (k) { return pts.map(function (p) { return p.outcomes[k] || 0 }) })), {})
    if (s.has.codecs) {
      var codecs = keysOf(pts, 'codecs')
      draw('chart-codecs', 'Answers by codec', codecs, [t].concat(codecs.map(function (k) { return pts.map(function (p) { return p.codecs[k] || 0 }) })), {})
    }
    draw('chart-latency', 'Upstream time (ms): p50, p90, p99', ['p50', 'p90', 'p99'], [t, pts.map(function (p) { return p.p50 }), pts.map(function (p) { return p.p90 }), pts.map(function (p) { return p.p99 })], {})
    if (s.has.cache) {
      draw('chart-cache-bytes', 'Cache bytes', ['bytes held'], [t, pts.map(function (p) { return p.cacheBytes })], { bytes: true })
      draw('chart-cache-entries', 'Cache entries', ['entries'], [t, pts.map(function (p) { return p.cacheEntries })], {})
    }
    if (s.has.verification) draw('chart-verification', 'Verification failures', ['failures'], [t, pts.map(function (p) { return p.verificationFailures })], {})
    var body = document.getElementById('top-body')
    body.textContent = ''
    s.topResources.forEach(function (r) {
      var tr = document.createElement('tr')
      ;[r.resource, String(r.pages), fmtBytes(r.pageBytes), fmtBytes(r.linkBytes), fmtBytes(r.pageBytes - r.linkBytes)].forEach(function (text, i) {
        var td = document.createElement('td')
        td.textContent = text
        if (i > 0) td.className = 'num'
        tr.appendChild(td)
      })
      body.appendChild(tr)
    })
    document.body.setAttribute('data-updated', String(s.now))
  }
  function poll () {
    fetch('status.json', { cache: 'no-store' }).then(function (r) { return r.json() }).then(function (s) {
      render(s)
      setTimeout(poll, Math.max(1000, Math.min(s.intervalMs, 10000)))
    }).catch(function (err) {
      document.getElementById('totals').textContent = 'status.json could not be read: ' + err
      setTimeout(poll, 5000)
    })
  }
  poll()
})()
`

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #111827; background: #fff }
h1 { font-size: 20px; margin: 0 0 4px }
#totals { color: #374151; margin-bottom: 16px }
.grid { display: flex; flex-wrap: wrap; gap: 16px }
.chart:empty { display: none }
.chart { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; min-height: 260px }
table { border-collapse: collapse; margin-top: 20px; min-width: 560px }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums }
`

/** The status page's HTML (built once per process). */
export function statusPageHtml (): string {
  if (cached !== undefined) return cached
  const { js, css } = uplotAssets()
  cached = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coilgun status</title>
<style>${css}${PAGE_CSS}</style>
</head>
<body>
<h1>Coilgun status: <span id="service">…</span></h1>
<div id="totals">loading…</div>
<div class="grid">
<div class="chart" id="chart-bytes"></div>
<div class="chart" id="chart-outcomes"></div>
<div class="chart" id="chart-codecs"></div>
<div class="chart" id="chart-latency"></div>
<div class="chart" id="chart-cache-bytes"></div>
<div class="chart" id="chart-cache-entries"></div>
<div class="chart" id="chart-verification"></div>
</div>
<h2>Resources that saved the most</h2>
<table>
<thead><tr><th>resource</th><th class="num">pages</th><th class="num">page bytes</th><th class="num">link bytes</th><th class="num">saved</th></tr></thead>
<tbody id="top-body"></tbody>
</table>
<script>${inline(js)}</script>
<script>${inline(PAGE_SCRIPT)}</script>
</body>
</html>
`
  return cached
}

/** The slice of a Fastify reply the routes use (structural: this package needs no web framework). */
export interface StatusReply {
  header (name: string, value: string): StatusReply
  send (payload?: unknown): unknown
}

/** The slice of a Fastify instance the routes use. */
export interface StatusRouter {
  get (path: string, handler: (request: unknown, reply: StatusReply) => Promise<unknown>): unknown
}

/** `GET /`: the live status page; `GET /status.json`: what it draws (issue 19). */
export function registerStatusPage (admin: StatusRouter, status: { report (): Promise<unknown> }): void {
  admin.get('/', async function statusPage (_request, reply) {
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', STATUS_PAGE_CSP).header('cache-control', 'no-store').send(statusPageHtml())
  })
  admin.get('/status.json', async function statusJson (_request, reply) {
    return reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(await status.report()))
  })
}
