import { readFileSync, writeFileSync } from 'node:fs'

// BENCHMARKS.md keeps one section per benchmark and, inside it, one block per Node
// major version:
//   <!-- codecs:start -->
//   <!-- codecs-node24:start --> ... <!-- codecs-node24:end -->
//   <!-- codecs-node20:start --> ... <!-- codecs-node20:end -->
//   <!-- codecs:end -->
// A run replaces only its own version's block, so the Node 20 and Node 24 records
// (dcz and dcb exist on the latter only) stand side by side.

export class MissingMarkersError extends Error {
  readonly code = 'COILGUN_BENCH_MISSING_MARKERS'
}

function sectionMarkers (section: string): { start: string, end: string } {
  return { start: `<!-- ${section}:start -->`, end: `<!-- ${section}:end -->` }
}

/** `markdown` with the block for `key` (e.g. `node24`) of `section` (e.g. `codecs`) set to `body`. */
export function replaceBlock (markdown: string, section: string, key: string, body: string): string {
  const outer = sectionMarkers(section)
  const sectionStart = markdown.indexOf(outer.start)
  const sectionEnd = markdown.indexOf(outer.end)
  if (sectionStart < 0 || sectionEnd < sectionStart) {
    throw new MissingMarkersError(`BENCHMARKS.md has no ${outer.start} ... ${outer.end} section to write into`)
  }
  const { start, end } = sectionMarkers(`${section}-${key}`)
  const block = `${start}\n${body.trim()}\n${end}`
  const blockStart = markdown.indexOf(start, sectionStart)
  const blockEnd = markdown.indexOf(end, sectionStart)
  if (blockStart >= 0 && blockEnd > blockStart && blockEnd < sectionEnd) {
    return markdown.slice(0, blockStart) + block + markdown.slice(blockEnd + end.length)
  }
  // A Node version not recorded yet goes first: newer versions are added later.
  const after = sectionStart + outer.start.length
  return `${markdown.slice(0, after)}\n${block}${markdown.slice(after)}`
}

export function writeBlock (file: string, section: string, key: string, body: string): void {
  writeFileSync(file, replaceBlock(readFileSync(file, 'utf8'), section, key, body))
}
