import { parse, View } from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'

/** What every bench chart starts with: its schema, titles, a 560 x 300 frame on white. */
export function chartFrame (text: string, subtitle: string): { $schema: string, title: { text: string, subtitle: string }, width: number, height: number, background: string } {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text, subtitle }, width: 560, height: 300, background: 'white' }
}

/** A Vega-Lite chart as SVG text, rendered headless (no canvas, no browser). */
export async function renderSvg (spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
