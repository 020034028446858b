import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// STYLE rule 4 and issue 14: docs/ERRORS.md and the code agree in both directions,
// for every package and app at once. The codes are read from the sources at run
// time (every `COILGUN_ERR_*` literal under packages/*/src, apps/*/src and their
// bin/ folders), so a code added anywhere is checked without editing this test.

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const CODE = /COILGUN_ERR_[A-Z0-9_]*[A-Z0-9]/g
const SOURCE_FILE = /\.(?:ts|mts|cts|js|mjs|cjs)$/
/** Shared test and benchmark fixtures are not product code. */
const NOT_PRODUCT = new Set(['packages/fixtures'])

function sourceFiles (dir: string): string[] {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap(e => {
    if (e.name === 'node_modules' || e.name === 'dist') return []
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return SOURCE_FILE.test(e.name) ? [path] : []
  })
}

/** Each code in the product sources, with the files that name it. */
function codesInSources (): Map<string, string[]> {
  const codes = new Map<string, string[]>()
  for (const group of ['packages', 'apps']) {
    for (const pkg of readdirSync(join(repoRoot, group), { withFileTypes: true })) {
      if (!pkg.isDirectory() || NOT_PRODUCT.has(`${group}/${pkg.name}`)) continue
      for (const folder of ['src', 'bin']) {
        for (const file of sourceFiles(join(repoRoot, group, pkg.name, folder))) {
          for (const [code] of readFileSync(file, 'utf8').matchAll(CODE)) {
            const files = codes.get(code) ?? []
            files.push(file.slice(repoRoot.length))
            codes.set(code, files)
          }
        }
      }
    }
  }
  return codes
}

const errorsMd = readFileSync(join(repoRoot, 'docs', 'ERRORS.md'), 'utf8')
/** Codes with a row of their own: a table row whose first cell is the code. */
const documentedRows = [...errorsMd.matchAll(/^\| `(COILGUN_ERR_[A-Z0-9_]+)` \|/gm)].map(m => m[1]!)

test('the sources define codes at all (the scan reads the tree)', () => {
  const codes = codesInSources()
  assert.ok(codes.has('COILGUN_ERR_VERIFY_FAILED'), 'core\'s codes are found')
  assert.ok(codes.has('COILGUN_ERR_INVALID_CONFIG'), 'the apps\' codes are found')
  assert.ok(codes.has('COILGUN_ERR_ESTIMATE_ARGUMENT'), 'coilgun-estimate\'s codes are found')
})

test('every COILGUN_ERR_* code in any package or app has a row in docs/ERRORS.md', () => {
  const undocumented = [...codesInSources()].filter(([code]) => !documentedRows.includes(code))
  assert.deepEqual(undocumented.map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`), [])
})

test('every code docs/ERRORS.md names exists in some package or app', () => {
  const codes = codesInSources()
  const named = new Set([...errorsMd.matchAll(CODE)].map(m => m[0]))
  assert.deepEqual([...named].filter(code => !codes.has(code)), [])
})

test('no code has two rows in docs/ERRORS.md', () => {
  assert.deepEqual(documentedRows.filter((code, i) => documentedRows.indexOf(code) !== i), [])
})
