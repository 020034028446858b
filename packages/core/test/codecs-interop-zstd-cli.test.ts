import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DCZ_MAGIC, loadCodec, sha256 } from '@coilgun/core'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { hasTool } from './support.ts'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 2: a dcz delta we make is a standard zstd frame behind the 40-byte RFC 9842
// header; the zstd CLI decodes it given the base as a raw dictionary.

const dcz = await loadCodec('dcz')
const skip = !dcz.available
  ? `dcz unavailable on this runtime: ${dcz.unavailableReason} (runs on Node >= 22.19)`
  : !hasTool('zstd') ? 'zstd not installed (apt-get install zstd)' : false

test('a dcz delta decodes with the zstd CLI and the base as dictionary', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-zstd-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const pairs: Array<[Buffer, Buffer]> = []
  const synthetic = syntheticVersions(2, 300_000)
  pairs.push([synthetic[0]!, synthetic[1]!])
  if (corpusAvailable()) {
    for (const set of listCorpusSets()) {
      const v = readVersions(set, 2)
      pairs.push([v[0]!, v[1]!])
    }
  }
  for (const [i, [base, target]] of pairs.entries()) {
    const framed = Buffer.from(dcz.encode(base, target))
    assert.ok(framed.subarray(0, 8).equals(Buffer.from(DCZ_MAGIC)), 'RFC 9842 dcz magic')
    assert.ok(framed.subarray(8, 40).equals(sha256(base)), 'RFC 9842 header carries the SHA-256 of the dictionary')
    writeFileSync(join(dir, 'base'), base)
    writeFileSync(join(dir, 'delta.zst'), framed.subarray(40))
    const out = execFileSync('zstd', ['-d', '-q', '-c', '--long=27', '-D', join(dir, 'base'), join(dir, 'delta.zst')], { maxBuffer: 64 * 1024 * 1024 })
    assert.ok(out.equals(target), `pair ${i} differs after zstd -d`)
    assert.ok(readFileSync(join(dir, 'delta.zst')).length < target.length / 20)
  }
})
