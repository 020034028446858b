import { test } from 'node:test'
import assert from 'node:assert/strict'
import { acceptsIm, formatIm, parseAIm, parseIm } from '../src/headers/index.ts'

function names (value: string | string[] | undefined): string[] {
  return parseAIm(value).map((im) => im.name)
}

test('A-IM: the RFC 3229 section 10.5.3 example lists vcdiff, diffe and gzip at q=1', () => {
  assert.deepEqual(parseAIm('vcdiff, diffe, gzip').map((im) => ({ name: im.name, q: im.q, params: { ...im.params } })), [
    { name: 'vcdiff', q: 1, params: {} },
    { name: 'diffe', q: 1, params: {} },
    { name: 'gzip', q: 1, params: {} }
  ])
})

test('A-IM: results are ordered by q, then by header order', () => {
  const parsed = parseAIm('gzip;q=0.5, vcdiff, diffe;q=0.9, gdiff;q=0.5')
  assert.deepEqual(parsed.map((im) => [im.name, im.q]), [['vcdiff', 1], ['diffe', 0.9], ['gzip', 0.5], ['gdiff', 0.5]])
})

test('A-IM: q=0 means not acceptable and the first occurrence of a name decides', () => {
  assert.deepEqual(names('vcdiff;q=0, gzip'), ['gzip'])
  assert.deepEqual(names('vcdiff;q=0.000, vcdiff'), [])
  assert.deepEqual(names('vcdiff;q=0.2, vcdiff;q=0'), ['vcdiff'])
})

test('A-IM: names and parameter names are case-insensitive, values keep their case', () => {
  const [im] = parseAIm('VCDiff;Q=0.25;Feed=Atom')
  assert.ok(im)
  assert.equal(im.name, 'vcdiff')
  assert.equal(im.q, 0.25)
  assert.deepEqual({ ...im.params }, { feed: 'Atom' })
})

test('A-IM: quoted-string parameters may contain commas, semicolons and escapes', () => {
  const parsed = parseAIm('feed;x="a, b; c", vcdiff;y="q\\"uote", gzip')
  assert.deepEqual(parsed.map((im) => im.name), ['feed', 'vcdiff', 'gzip'])
  assert.equal(parsed[0]?.params.x, 'a, b; c')
  assert.equal(parsed[1]?.params.y, 'q"uote')
  assert.equal('q' in (parsed[0]?.params ?? {}), false)
})

test('A-IM: parameters are data on a prototype-less object', () => {
  const [im] = parseAIm('vcdiff;__proto__=x;constructor=y')
  assert.ok(im)
  assert.equal(Object.getPrototypeOf(im.params), null)
  assert.equal(im.params.__proto__, 'x')
  assert.equal(im.params.constructor, 'y')
  assert.equal(({} as Record<string, unknown>).x, undefined)
})

test('A-IM: invalid qvalues and malformed members are skipped, not fatal', () => {
  assert.deepEqual(names('vcdiff;q=2, gzip;q=0.1234, diffe;q=abc, deflate;q=-1, x;q=1.5, gdiff'), ['gdiff'])
  assert.deepEqual(names('vc diff, "quoted", ;q=1, gzip, feed;x="unterminated'), ['gzip'])
  assert.deepEqual(names('vcdiff;q = 0.5, gzip'), ['gzip'])
  assert.deepEqual(names('gzip;q=1.000, vcdiff;q=0.001'), ['gzip', 'vcdiff'])
})

test('A-IM: repeated header lines are combined, empty members ignored', () => {
  assert.deepEqual(names(['vcdiff', 'gzip;q=0.5', '']), ['vcdiff', 'gzip'])
  assert.deepEqual(names(' , ,vcdiff,, gzip ,'), ['vcdiff', 'gzip'])
  assert.deepEqual(parseAIm(undefined), [])
  assert.deepEqual(parseAIm(''), [])
  assert.deepEqual(parseAIm([]), [])
})

test('A-IM: members beyond the 64th are ignored', () => {
  const header = Array.from({ length: 100 }, (_, i) => `im${i}`).join(', ')
  const parsed = parseAIm(header)
  assert.equal(parsed.length, 64)
  assert.equal(parsed[63]?.name, 'im63')
})

test('acceptsIm: matches case-insensitively and never matches q=0 entries', () => {
  const parsed = parseAIm('vcdiff, gzip;q=0, diffe;q=0.1')
  assert.equal(acceptsIm(parsed, 'vcdiff'), true)
  assert.equal(acceptsIm(parsed, 'VCDIFF'), true)
  assert.equal(acceptsIm(parsed, 'diffe'), true)
  assert.equal(acceptsIm(parsed, 'gzip'), false)
  assert.equal(acceptsIm(parsed, 'gdiff'), false)
  assert.equal(acceptsIm([], 'vcdiff'), false)
})

test('formatIm: lists manipulations in the order applied and drops non-tokens', () => {
  assert.equal(formatIm(['vcdiff', 'gzip']), 'vcdiff, gzip')
  assert.equal(formatIm(['vcdiff']), 'vcdiff')
  assert.equal(formatIm([]), '')
  assert.equal(formatIm(['vcdiff', 'bad name', '', 'x\r\ny', 'gzip']), 'vcdiff, gzip')
})

test('IM: parses the ordered list of applied manipulations (RFC 3229 section 10.5.2)', () => {
  assert.deepEqual(parseIm('vcdiff, gzip'), ['vcdiff', 'gzip'])
  assert.deepEqual(parseIm('VCDIFF'), ['vcdiff'])
  assert.deepEqual(parseIm(['vcdiff', 'gzip']), ['vcdiff', 'gzip'])
  assert.deepEqual(parseIm(parseIm('diffe, deflate').join(', ')), ['diffe', 'deflate'])
  assert.deepEqual(parseIm(formatIm(['vcdiff', 'gzip'])), ['vcdiff', 'gzip'])
})

test('IM: any malformed member voids the whole header, since order matters', () => {
  assert.deepEqual(parseIm('vcdiff, bad name'), [])
  assert.deepEqual(parseIm('vcdiff, "gzip"'), [])
  assert.deepEqual(parseIm(['vcdiff', 'g zip']), [])
  assert.deepEqual(parseIm(undefined), [])
  assert.deepEqual(parseIm(''), [])
  assert.deepEqual(parseIm(Array.from({ length: 65 }, () => 'gzip').join(',')), [])
  assert.equal(parseIm(Array.from({ length: 64 }, () => 'gzip').join(',')).length, 64)
})
