import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CONFIG_VARIABLES } from '@coilgun/service'

// Issue 16: --help and the unknown-variable warning both come from one table
// (packages/service/src/configVariables.ts). A variable that a config.ts reads but the
// table lacks would be called unknown at start and missing from --help: this test
// names it, so adding a variable means adding its row.

const root = fileURLToPath(new URL('../../../', import.meta.url))
const SOURCES = [
  ...['apps/sender/src', 'apps/listener/src'].flatMap(dir => readdirSync(join(root, dir)).filter(f => f.endsWith('.ts')).map(f => join(dir, f))),
  'packages/redis/src/redisStoreEnv.ts',
  'packages/service/src/envValues.ts',
  'packages/service/src/privacyEnv.ts'
]

test('every COILGUN_* variable named in the apps\' configuration code has a row in CONFIG_VARIABLES', () => {
  const known = new Set(CONFIG_VARIABLES.map(v => v.name))
  const missing = new Set<string>()
  let seen = 0
  for (const file of SOURCES) {
    // A variable is read by its name as a string ('COILGUN_X') or as env.COILGUN_X;
    // constants such as COILGUN_CLOSING_HEADER are code, not variables.
    for (const [, name] of readFileSync(join(root, file), 'utf8').matchAll(/(?:['"`]|\benv\.)(COILGUN_[A-Z0-9_]*[A-Z0-9])\b/g)) {
      if (name === undefined) continue
      if (name.startsWith('COILGUN_ERR_')) continue
      seen++
      if (!known.has(name)) missing.add(`${name} (${file})`)
    }
  }
  assert.ok(seen > 30, `${seen} names found`)
  assert.deepEqual([...missing], [])
})
