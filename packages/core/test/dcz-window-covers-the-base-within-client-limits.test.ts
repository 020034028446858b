import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadCodec } from '@coilgun/core'
import { corpusAvailable, listCorpusSets, readVersions } from '@coilgun/fixtures/corpus'
import { hasTool } from './support.ts'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'

// Issue 17: dcz's window must cover the base, or a page over ~1 MB loses the base
// half-way and the delta grows; and what we send must stay within the window every
// RFC 9842 client accepts (section 5: 8 MB, or 1.25 times the dictionary, up to
// 128 MB). `zstd -d --memory=8MB` stands in for the strictest such client,
// `zstd -19 --patch-from` for the best peer.

const dcz = await loadCodec('dcz')
const skip = !dcz.available
  ? `dcz unavailable on this runtime: ${dcz.unavailableReason} (runs on Node >= 22.19)`
  : !hasTool('zstd') ? 'zstd not installed (apt-get install zstd)' : false

const MIB = 1024 * 1024
const RFC9842_HEADER = 40

/** Multi-MB versions: concatenated corpus pages (real markup), else synthetic ones. */
function largePair (size: number): [Buffer, Buffer] {
  const fr = listCorpusSets().find(s => s.name === 'fr-frontpage-html')
  if (corpusAvailable() && fr !== undefined) {
    const v = readVersions(fr)
    const count = Math.min(v.length - 1, Math.ceil(size / v[0]!.length))
    return [Buffer.concat(v.slice(0, count)), Buffer.concat(v.slice(1, count + 1))]
  }
  const [base, target] = syntheticVersions(2, size)
  return [base!, target!]
}

/** RFC 8878 section 3.1.1.1.1: the Frame_Header_Descriptor follows the 4-byte magic. */
function frameHeader (zstdFrame: Uint8Array): { singleSegment: boolean, contentSize: number | undefined } {
  const fhd = zstdFrame[4]!
  const singleSegment = (fhd & 0x20) !== 0
  const fcsFlag = fhd >> 6
  const dictIdBytes = [0, 1, 2, 4][fhd & 3]!
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!
  let at = 5 + (singleSegment ? 0 : 1) + dictIdBytes
  let contentSize = 0
  for (let i = 0; i < fcsBytes; i++) contentSize += zstdFrame[at++]! * 2 ** (8 * i)
  if (fcsBytes === 2) contentSize += 256
  return { singleSegment, contentSize: fcsBytes === 0 ? undefined : contentSize }
}

function zstdDecode (dir: string, base: Buffer, frame: Uint8Array, extra: string[]): Buffer {
  writeFileSync(join(dir, 'base'), base)
  writeFileSync(join(dir, 'delta.zst'), frame)
  return execFileSync('zstd', ['-d', '-q', '-c', ...extra, '-D', join(dir, 'base'), join(dir, 'delta.zst')], { maxBuffer: 64 * MIB, stdio: ['ignore', 'pipe', 'pipe'] })
}

test('a multi-MB page keeps the base in reach: dcz within 1.25x of zstd -19 --patch-from', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-dcz-large-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const [base, target] = largePair(3 * MIB)
  const delta = dcz.encode(base, target)
  writeFileSync(join(dir, 'base'), base)
  writeFileSync(join(dir, 'target'), target)
  const peer = execFileSync('zstd', ['-19', '-q', '-c', `--patch-from=${join(dir, 'base')}`, join(dir, 'target')], { maxBuffer: 64 * MIB, stdio: ['ignore', 'pipe', 'pipe'] })
  // The RFC 9842 header is counted: it is part of what the sender receives.
  assert.ok(delta.length <= 1.25 * peer.length + RFC9842_HEADER, `dcz ${delta.length} B against zstd -19 --patch-from ${peer.length} B on a ${target.length} B page`)
  assert.ok(Buffer.from(dcz.decode(base, delta, { maxOutputBytes: target.length })).equals(target))
})

test('dcz frames announce no more window than the strictest RFC 9842 client accepts', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-dcz-window-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // Base plus new version over 8 MiB: a window covering both is only acceptable as a
  // single-segment frame, whose Window_Size is the content size.
  const [base, target] = largePair(5 * MIB)
  assert.ok(base.length + target.length > 8 * MIB)
  const frame = Buffer.from(dcz.encode(base, target)).subarray(RFC9842_HEADER)
  const header = frameHeader(frame)
  assert.equal(header.singleSegment, true)
  assert.equal(header.contentSize, target.length)
  assert.ok(zstdDecode(dir, base, frame, ['--memory=8MB']).equals(target), 'decodes within an 8 MiB window limit')

  // A new version larger than 8 MiB over a small base cannot be single-segment
  // within the limit: the frame must announce a window the client accepts anyway.
  const small = Buffer.from('<html><body>a small first version</body></html>\n'.repeat(4000))
  const [, large] = largePair(9 * MIB)
  const bigTarget = Buffer.concat([small, large.subarray(0, 9 * MIB - small.length + 1)])
  assert.ok(bigTarget.length > 8 * MIB && bigTarget.length > 1.25 * small.length)
  const bigFrame = Buffer.from(dcz.encode(small, bigTarget)).subarray(RFC9842_HEADER)
  assert.ok(zstdDecode(dir, small, bigFrame, ['--memory=8MB']).equals(bigTarget), 'decodes within an 8 MiB window limit')
})
