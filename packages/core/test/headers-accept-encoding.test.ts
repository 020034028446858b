import { test } from 'node:test'
import assert from 'node:assert/strict'
import { acceptsEncoding, negotiateEncoding, parseAcceptEncoding } from '../src/headers/index.ts'

function entries (value: string | string[] | undefined): Array<[string, number]> {
  return [...parseAcceptEncoding(value)]
}

test('Accept-Encoding: the RFC 9110 section 12.5.3 examples', () => {
  assert.deepEqual(entries('compress, gzip'), [['compress', 1], ['gzip', 1]])
  assert.deepEqual(entries(''), [])
  assert.deepEqual(entries('*'), [['*', 1]])
  assert.deepEqual(entries('compress;q=0.5, gzip;q=1.0'), [['compress', 0.5], ['gzip', 1]])
  assert.deepEqual(entries('gzip;q=1.0, identity; q=0.5, *;q=0'), [['gzip', 1], ['identity', 0.5], ['*', 0]])
})

test('Accept-Encoding: a browser header with RFC 9842 dictionary codings', () => {
  const parsed = parseAcceptEncoding('gzip, deflate, br, zstd, dcb, dcz')
  assert.deepEqual([...parsed.keys()], ['gzip', 'deflate', 'br', 'zstd', 'dcb', 'dcz'])
  assert.equal(negotiateEncoding(parsed, ['dcz', 'dcb', 'br', 'gzip']), 'dcz')
})

test('Accept-Encoding: codings are lower-cased, repeated lines combined, first weight wins', () => {
  assert.deepEqual(entries(['GZIP;Q=0.5', 'Br']), [['gzip', 0.5], ['br', 1]])
  assert.deepEqual(entries('gzip;q=0, gzip'), [['gzip', 0]])
  assert.deepEqual(entries(' , gzip ,, br ;  q=0.8 ,'), [['gzip', 1], ['br', 0.8]])
})

test('Accept-Encoding: members with invalid qvalues or syntax are skipped', () => {
  assert.deepEqual(entries('gzip;q=2, br;q=0.1234, zstd;q=x, deflate;q=-0, dcb;q=, dcz;q=1.5, compress;q=0.25'), [['compress', 0.25]])
  assert.deepEqual(entries('g zip, "br", ;q=1, gzip'), [['gzip', 1]])
})

test('Accept-Encoding: members beyond the 64th are ignored', () => {
  const header = Array.from({ length: 100 }, (_, i) => `c${i}`).join(',')
  const parsed = parseAcceptEncoding(header)
  assert.equal(parsed.size, 64)
  assert.equal(parsed.has('c64'), false)
})

test('acceptsEncoding: explicit entries, * and q=0', () => {
  const parsed = parseAcceptEncoding('gzip, br;q=0, *;q=0.1')
  assert.equal(acceptsEncoding(parsed, 'gzip'), true)
  assert.equal(acceptsEncoding(parsed, 'GZIP'), true)
  assert.equal(acceptsEncoding(parsed, 'br'), false, 'explicit q=0 beats *')
  assert.equal(acceptsEncoding(parsed, 'zstd'), true, 'covered by *')
  assert.equal(acceptsEncoding(parseAcceptEncoding('gzip'), 'br'), false)
  assert.equal(acceptsEncoding(parseAcceptEncoding('*;q=0'), 'gzip'), false)
})

test('acceptsEncoding: identity is acceptable unless excluded (RFC 9110 section 12.5.3)', () => {
  assert.equal(acceptsEncoding(parseAcceptEncoding('gzip'), 'identity'), true)
  assert.equal(acceptsEncoding(parseAcceptEncoding(''), 'identity'), true)
  assert.equal(acceptsEncoding(parseAcceptEncoding(undefined), 'identity'), true)
  assert.equal(acceptsEncoding(parseAcceptEncoding('gzip, identity;q=0'), 'identity'), false)
  assert.equal(acceptsEncoding(parseAcceptEncoding('gzip, *;q=0'), 'identity'), false)
  assert.equal(acceptsEncoding(parseAcceptEncoding('*;q=0, identity'), 'identity'), true)
})

test('acceptsEncoding: an absent or malformed header means identity only', () => {
  for (const value of [undefined, '', 'g zip', '"gzip"']) {
    const parsed = parseAcceptEncoding(value)
    assert.equal(acceptsEncoding(parsed, 'gzip'), false, String(value))
    assert.equal(acceptsEncoding(parsed, 'identity'), true, String(value))
  }
})

test('negotiateEncoding: highest q wins, ties go to the first offered', () => {
  const parsed = parseAcceptEncoding('gzip;q=0.8, br, zstd')
  assert.equal(negotiateEncoding(parsed, ['gzip', 'br', 'zstd']), 'br')
  assert.equal(negotiateEncoding(parsed, ['gzip', 'zstd', 'br']), 'zstd')
  assert.equal(negotiateEncoding(parsed, ['gzip', 'deflate']), 'gzip')
  assert.equal(negotiateEncoding(parsed, ['deflate']), undefined)
  assert.equal(negotiateEncoding(parsed, []), undefined)
  assert.equal(negotiateEncoding(parsed, ['BR']), 'BR', 'returns the offered spelling')
})

test('negotiateEncoding: implicit identity ranks below listed codings, explicit identity competes', () => {
  assert.equal(negotiateEncoding(parseAcceptEncoding('gzip;q=0.1'), ['identity', 'gzip']), 'gzip')
  assert.equal(negotiateEncoding(parseAcceptEncoding('gzip;q=0.1'), ['identity', 'br']), 'identity')
  assert.equal(negotiateEncoding(parseAcceptEncoding('gzip;q=0.5, identity'), ['gzip', 'identity']), 'identity')
  assert.equal(negotiateEncoding(parseAcceptEncoding('gzip, identity;q=0'), ['identity']), undefined)
  assert.equal(negotiateEncoding(parseAcceptEncoding('*;q=0'), ['gzip', 'identity']), undefined)
  assert.equal(negotiateEncoding(parseAcceptEncoding('gzip;q=0.5, *'), ['gzip', 'br']), 'br', '* covers unlisted codings')
})
