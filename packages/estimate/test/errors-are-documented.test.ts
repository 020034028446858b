import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import * as estimate from '@coilgun/estimate'

// STYLE rule 4: every coded error of coilgun-estimate is documented in
// docs/ERRORS.md, and no code is defined twice.

test('every COILGUN_ERR_* code of @coilgun/estimate is documented', () => {
  const doc = readFileSync(new URL('../../../docs/ERRORS.md', import.meta.url), 'utf8')
  const exported = Object.entries(estimate)
    .filter(([name, value]) => name.startsWith('ERR_') && typeof value === 'function')
    .map(([, value]) => (new (value as new (...a: string[]) => { code: string })('x', 'y', 'z')).code)
  assert.deepEqual([...exported].sort(), [...estimate.ESTIMATE_ERROR_CODES].sort())
  assert.equal(new Set(exported).size, exported.length, 'codes are unique')
  for (const code of exported) assert.match(doc, new RegExp(`\\b${code}\\b`), `${code} missing from docs/ERRORS.md`)
})
