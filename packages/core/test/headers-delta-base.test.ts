import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDeltaBase } from '../src/headers/deltaBase.ts'
import { formatStrongETag, sha256 } from '../src/digest.ts'

test('Delta-Base: returns the strong opaque tag with its quotes (RFC 3229 section 10.5.1)', () => {
  assert.equal(parseDeltaBase('"abc"'), '"abc"')
  assert.equal(parseDeltaBase(' "abc" '), '"abc"')
  assert.equal(parseDeltaBase('"a,b"'), '"a,b"')
  assert.equal(parseDeltaBase(['"abc"']), '"abc"')
})

test('Delta-Base: a Coilgun version tag, sent as the bare entity-tag, reads back as itself', () => {
  const tag = formatStrongETag(sha256(Buffer.from('<html>v1</html>')))
  assert.equal(parseDeltaBase(tag), tag)
})

test('Delta-Base: a weak tag cannot name a delta base', () => {
  assert.equal(parseDeltaBase('W/"abc"'), undefined)
})

test('Delta-Base: malformed values are treated as absent', () => {
  for (const bad of ['abc', '"abc', 'abc"', '', '*', '"a"b"', 'w/"abc"', '"a b"']) {
    assert.equal(parseDeltaBase(bad), undefined, bad)
  }
  assert.equal(parseDeltaBase(undefined), undefined)
})

test('Delta-Base: more than one value is rejected', () => {
  assert.equal(parseDeltaBase('"a", "b"'), undefined)
  assert.equal(parseDeltaBase(['"a"', '"b"']), undefined)
  assert.equal(parseDeltaBase(['"a"', '"a"']), undefined)
  assert.equal(parseDeltaBase([]), undefined)
})
