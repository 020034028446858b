import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadCodec } from '@coilgun/core'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { hasTool } from './support.ts'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 2: a standard RFC 3284 delta written by xdelta3 (no secondary compressor,
// no application header, no checksum) decodes with our vcdiff codec. The reverse
// direction (issue 17) is proven in codecs-vcdiff-standard-format-interop.test.ts.

const xdelta3 = hasTool('xdelta3')

test('a delta made by the xdelta3 CLI decodes with the vcdiff codec', { skip: xdelta3 ? false : 'xdelta3 not installed (apt-get install xdelta3)' }, async (t) => {
  const vcdiff = await loadCodec('vcdiff')
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-xdelta3-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const pairs: Array<[Buffer, Buffer]> = []
  const synthetic = syntheticVersions(3, 200_000)
  pairs.push([synthetic[0]!, synthetic[1]!], [synthetic[1]!, synthetic[2]!])
  if (corpusAvailable()) {
    for (const set of listCorpusSets()) {
      const v = readVersions(set, 3)
      pairs.push([v[0]!, v[1]!], [v[1]!, v[2]!])
    }
  }
  for (const [i, [base, target]] of pairs.entries()) {
    writeFileSync(join(dir, 'base'), base)
    writeFileSync(join(dir, 'target'), target)
    execFileSync('xdelta3', ['-e', '-f', '-S', 'none', '-A', '-n', '-s', join(dir, 'base'), join(dir, 'target'), join(dir, 'delta')])
    const delta = readFileSync(join(dir, 'delta'))
    assert.equal(delta[3], 0x00, 'xdelta3 writes standard RFC 3284 version 0')
    const rebuilt = vcdiff.decode(base, delta, { maxOutputBytes: target.length })
    assert.ok(Buffer.from(rebuilt).equals(target), `pair ${i} differs`)
  }
})
