import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// Issue 2: vcdiff-wasm prints `ERROR: ...` to stderr on bad input and installs
// process-wide crash handlers. Our wrapper captures the former as coded errors and
// removes the latter, so none of it reaches the host application.

const script = `
import { loadCodec } from '@coilgun/core'
const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]
const vcdiff = await loadCodec('vcdiff')
const base = Buffer.from('the base version of a page '.repeat(200))
const target = Buffer.from('the next version of a page '.repeat(200))
const delta = Buffer.from(vcdiff.encode(base, target))
const codes = []
for (const bad of [delta.subarray(0, delta.length - 3), Buffer.concat([delta, Buffer.from([1, 2, 3])])]) {
  try { vcdiff.decode(base, bad, { maxOutputBytes: 1e6 }) } catch (err) { codes.push(err.code) }
}
const flipped = Buffer.from(delta); flipped[flipped.length - 2] ^= 0xff
try { vcdiff.decode(base, flipped, { maxOutputBytes: 1e6 }) } catch (err) { codes.push(err.code) }
const after = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]
process.stdout.write(JSON.stringify({ codes, before, after }))
`

test('corrupt vcdiff input produces coded errors and no wasm output or handlers', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8'
  })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '', 'nothing may be printed to stderr')
  const out = JSON.parse(r.stdout) as { codes: string[], before: number[], after: number[] }
  assert.ok(out.codes.length >= 2, `expected coded errors, got ${r.stdout}`)
  for (const code of out.codes) assert.equal(code, 'COILGUN_ERR_DELTA_CORRUPT')
  assert.deepEqual(out.after, out.before, 'no uncaughtException/unhandledRejection listeners left behind')
})
