import { readFileSync } from 'node:fs'

// The "How it was measured" prose of each report lives in bench/methods/*.md, so it
// reads and diffs as Markdown (issue 14, item 5); only the figures of the run are
// filled in here.

const methodsDir = new URL('./methods/', import.meta.url)

/**
 * The template bench/methods/`name`.md with each `{{key}}` replaced by `values[key]`
 * and `{{heading}}` by `level` hashes. A placeholder without a value throws, so a
 * report never prints a raw `{{...}}`.
 */
export function renderMethodTemplate (name: string, level: number, values: Readonly<Record<string, string | number>>): string {
  const template = readFileSync(new URL(`${name}.md`, methodsDir), 'utf8').trimEnd()
  const filled: Record<string, string | number> = { ...values, heading: '#'.repeat(level) }
  return template.replace(/\{\{(\w+)\}\}/g, function fill (_match, key: string) {
    const value = filled[key]
    if (value === undefined) throw new Error(`bench/methods/${name}.md: no value for {{${key}}}`)
    return String(value)
  })
}
