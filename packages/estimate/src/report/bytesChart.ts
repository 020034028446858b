import { parse, View } from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'
import type { EstimateResult } from '../estimateResult.ts'
import { METHOD_SHORT } from './formatBytes.ts'

// The report's chart (issue 19): bytes per change for each resource and method,
// drawn by Vega-Lite and rendered to SVG by Vega at report time, without a browser,
// a canvas or any asset from another host, so the HTML file stands alone.

const WIDTH = 640
const HEIGHT = 320
/** Floor of the log axis: bars on a log scale need a baseline above zero. */
const BYTES_AXIS_MIN = 10
/** Longest resource label under a bar group. */
const LABEL_LIMIT = 220

export function bytesPerChangeSpec (result: EstimateResult): TopLevelSpec {
  const groups = result.resources.map(r => ({ label: r.name, methods: r.methods }))
  if (result.resources.length > 1) groups.push({ label: 'all', methods: result.total.methods })
  const order = result.methods.map(m => METHOD_SHORT[m.name] ?? m.name)
  const values = groups.flatMap(g => result.methods.flatMap(m => {
    const perChange = g.methods[m.name]?.perChange
    return perChange === undefined ? [] : [{ resource: g.label, method: METHOD_SHORT[m.name] ?? m.name, bytes: Math.max(BYTES_AXIS_MIN, Math.round(perChange)) }]
  }))
  const top = 10 ** Math.ceil(Math.log10(Math.max(BYTES_AXIS_MIN * 10, ...values.map(v => v.bytes))))
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Bytes per change, by resource and method (log scale)', subtitle: `${result.total.changes} changes; link and visitor figures include header lines` },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'resource', type: 'nominal', title: null, sort: groups.map(g => g.label), axis: { labelAngle: 0, labelLimit: LABEL_LIMIT } },
      xOffset: { field: 'method', type: 'nominal', sort: order },
      y: { field: 'bytes', type: 'quantitative', scale: { type: 'log', domain: [BYTES_AXIS_MIN, top] }, title: 'bytes per change' },
      y2: { datum: BYTES_AXIS_MIN },
      color: { field: 'method', type: 'nominal', scale: { domain: order }, legend: { orient: 'bottom', columns: 4, title: null, labelLimit: 0 } }
    }
  }
}

/** The chart as an SVG document (a string). */
export async function renderBytesChart (result: EstimateResult): Promise<string> {
  const view = new View(parse(compile(bytesPerChangeSpec(result)).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
