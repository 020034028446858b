import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { CompressedBodies } from '../src/index.ts'

// The one compressed-body cache behind the origin's full bodies and the sender's
// visitor pages (issue 14).

const LEVELS = Object.freeze({ brotliQuality: 4, gzipLevel: 6, brotliText: true })
const page = Buffer.from('<p>hello coilgun</p>\n'.repeat(400))

test('a version is compressed once per coding, and the bytes decode to the body', () => {
  const bodies = new CompressedBodies(1024 * 1024, LEVELS)
  const br = bodies.compress('v1', page, 'br')
  const gz = bodies.compress('v1', page, 'gzip')
  assert.deepEqual(zlib.brotliDecompressSync(br), page)
  assert.deepEqual(zlib.gunzipSync(gz), page)
  assert.equal(bodies.compress('v1', Buffer.from('another body'), 'br'), br, 'the cached bytes are returned, not a new compression')
  assert.equal(bodies.get('v1', 'gzip'), gz)
  assert.equal(bodies.get('v2', 'gzip'), undefined)
})

test('cached bytes own their whole buffer (a zlib slice would hold its 16 KiB chunk, issue 12)', () => {
  const bodies = new CompressedBodies(1024 * 1024, LEVELS)
  const small = Buffer.from('<p>a small page</p>')
  const packed = bodies.compress('v1', small, 'gzip')
  assert.equal(packed.byteLength, packed.buffer.byteLength)
})

test('a cache of 0 bytes keeps nothing and still compresses', () => {
  const bodies = new CompressedBodies(0, LEVELS)
  assert.deepEqual(zlib.gunzipSync(bodies.compress('v1', page, 'gzip')), page)
  assert.equal(bodies.get('v1', 'gzip'), undefined)
})

test('the byte bound evicts the oldest versions', () => {
  const bodies = new CompressedBodies(4096, LEVELS)
  for (let i = 0; i < 50; i++) bodies.set(`v${i}`, 'br', new Uint8Array(1000))
  assert.equal(bodies.get('v0', 'br'), undefined)
  assert.notEqual(bodies.get('v49', 'br'), undefined)
})
