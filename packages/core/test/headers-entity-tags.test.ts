import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatEntityTag, parseEntityTag, parseIfNoneMatch, strongMatch, strongTags, weakMatch } from '../src/headers/index.ts'

test('parseEntityTag: strong and weak tags keep their quotes in opaque (RFC 9110 section 8.8.3)', () => {
  assert.deepEqual(parseEntityTag('"xyzzy"'), { weak: false, opaque: '"xyzzy"' })
  assert.deepEqual(parseEntityTag('W/"xyzzy"'), { weak: true, opaque: '"xyzzy"' })
  assert.deepEqual(parseEntityTag('""'), { weak: false, opaque: '""' })
  assert.deepEqual(parseEntityTag('  "a,b"\t'), { weak: false, opaque: '"a,b"' })
  assert.deepEqual(parseEntityTag('"caf\u00e9"'), { weak: false, opaque: '"caf\u00e9"' }, 'obs-text is etagc')
  assert.deepEqual(parseEntityTag('"a\\"'), { weak: false, opaque: '"a\\"' }, 'backslash is data, not an escape')
})

test('parseEntityTag: rejects anything that is not exactly one entity-tag', () => {
  for (const bad of ['xyzzy', '"xyzzy', 'xyzzy"', 'w/"x"', 'W/x', 'W/', '"', '"a"b"', '"a b"', '"a"x', '"a", "b"', '"\u0100"', '"\u0001"', '*', '']) {
    assert.equal(parseEntityTag(bad), undefined, bad)
  }
})

test('formatEntityTag: round-trips through parseEntityTag', () => {
  assert.equal(formatEntityTag({ weak: true, opaque: '"x"' }), 'W/"x"')
  assert.equal(formatEntityTag({ weak: false, opaque: '"x"' }), '"x"')
  for (const s of ['"x"', 'W/"x"', '""', 'W/"a,b"']) {
    const tag = parseEntityTag(s)
    assert.ok(tag)
    assert.equal(formatEntityTag(tag), s)
  }
})

test('If-None-Match: the RFC 9110 section 13.1.2 examples', () => {
  assert.deepEqual(parseIfNoneMatch('"xyzzy"'), { any: false, tags: [{ weak: false, opaque: '"xyzzy"' }] })
  assert.deepEqual(parseIfNoneMatch('"xyzzy", "r2d2xxxx", "c3piozzzz"').tags.map(formatEntityTag), ['"xyzzy"', '"r2d2xxxx"', '"c3piozzzz"'])
  assert.deepEqual(parseIfNoneMatch('*'), { any: true, tags: [] })
  assert.deepEqual(parseIfNoneMatch('W/"xyzzy", "r2d2xxxx"').tags, [{ weak: true, opaque: '"xyzzy"' }, { weak: false, opaque: '"r2d2xxxx"' }])
})

test('If-None-Match: commas and backslashes inside opaque tags do not split members', () => {
  assert.deepEqual(parseIfNoneMatch('"a,b", W/",c,"').tags, [{ weak: false, opaque: '"a,b"' }, { weak: true, opaque: '",c,"' }])
  assert.deepEqual(parseIfNoneMatch('"a, b", "c"').tags, [{ weak: false, opaque: '"c"' }], 'SP is not etagc, the quoted comma still does not split')
  assert.deepEqual(parseIfNoneMatch('"a\\", "b"').tags.map(formatEntityTag), ['"a\\"', '"b"'])
})

test('If-None-Match: malformed members are skipped, a wholly malformed header is empty', () => {
  assert.deepEqual(parseIfNoneMatch('"ok", bogus, W/"x", w/"lower", "unterminated').tags.map(formatEntityTag), ['"ok"', 'W/"x"'])
  assert.deepEqual(parseIfNoneMatch('garbage'), { any: false, tags: [] })
  assert.deepEqual(parseIfNoneMatch('"a" "b"'), { any: false, tags: [] })
  assert.deepEqual(parseIfNoneMatch(''), { any: false, tags: [] })
  assert.deepEqual(parseIfNoneMatch(undefined), { any: false, tags: [] })
})

test('If-None-Match: * only counts alone, not mixed with tags', () => {
  assert.deepEqual(parseIfNoneMatch('*, "a"'), { any: false, tags: [{ weak: false, opaque: '"a"' }] })
  assert.deepEqual(parseIfNoneMatch(['*', '*']), { any: true, tags: [] })
  assert.deepEqual(parseIfNoneMatch(['*', 'junk']).any, false)
})

test('If-None-Match: repeated header lines are combined and capped at 64 tags', () => {
  assert.deepEqual(parseIfNoneMatch(['"a"', 'W/"b", "c"']).tags.map(formatEntityTag), ['"a"', 'W/"b"', '"c"'])
  const many = Array.from({ length: 200 }, (_, i) => `"t${i}"`).join(', ')
  const parsed = parseIfNoneMatch(many)
  assert.equal(parsed.tags.length, 64)
  assert.equal(parsed.tags[63]?.opaque, '"t63"')
})

test('strongTags: keeps strong tags in order without duplicates', () => {
  const parsed = parseIfNoneMatch('W/"a", "b", "c", "b", W/"c"')
  assert.deepEqual(strongTags(parsed.tags), ['"b"', '"c"'])
  assert.deepEqual(strongTags(parsed), ['"b"', '"c"'])
  assert.deepEqual(strongTags([]), [])
})

test('strongMatch / weakMatch: the RFC 9110 section 8.8.3.2 comparison table', () => {
  const rows: Array<[string, string, boolean, boolean]> = [
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true]
  ]
  for (const [a, b, strong, weak] of rows) {
    const ta = parseEntityTag(a)
    const tb = parseEntityTag(b)
    assert.ok(ta && tb)
    assert.equal(strongMatch(ta, tb), strong, `strong ${a} ${b}`)
    assert.equal(strongMatch(tb, ta), strong, `strong ${b} ${a}`)
    assert.equal(weakMatch(ta, tb), weak, `weak ${a} ${b}`)
    assert.equal(weakMatch(tb, ta), weak, `weak ${b} ${a}`)
  }
})
