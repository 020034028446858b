/** Column alignment: the first column of our tables is a name, the rest are figures. */
export type Align = 'left' | 'right'

/**
 * A Markdown table whose columns are padded to equal width, so that it reads as a
 * table in a terminal too (`npm run bench:codecs` prints it as is). With `notesLast`, the last
 * column holds notes of very different lengths and is not padded, so one long note
 * does not push every row's end out.
 */
export function markdownTable (header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[], notesLast = false): string {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map(r => (r[c] ?? '').length)))
  const last = notesLast ? header.length - 1 : -1
  function cell (text: string, c: number): string {
    if (c === last) return text
    return align[c] === 'right' ? text.padStart(widths[c]!) : text.padEnd(widths[c]!)
  }
  function line (cells: readonly string[]): string {
    return `| ${cells.map((text, c) => cell(text, c)).join(' | ')} |`
  }
  const rule = header.map((_h, c) => {
    const dashes = '-'.repeat(c === last ? 3 : widths[c]!)
    return align[c] === 'right' ? `${dashes.slice(1)}:` : dashes
  })
  return [line(header), line(rule), ...rows.map(r => line(r))].join('\n')
}
