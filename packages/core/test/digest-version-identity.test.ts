import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatAvailableDictionary, formatReprDigest, formatStrongETag, parseAvailableDictionary, parseCoilgunETag, parseEntityTag, parseSha256ReprDigest, sha256, versionId } from '@coilgun/core'

// Issue 2: a version is the SHA-256 of its identity body, formatted as a strong
// entity tag, an RFC 9530 Repr-Digest and an RFC 9842 Available-Dictionary value;
// each format parses back to the same 32 bytes.

test('the three formats of a version hash round-trip', () => {
  const hash = sha256(Buffer.from('hello world'))
  assert.equal(versionId(hash), 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9')
  const tag = formatStrongETag(hash)
  assert.match(tag, /^"cg-[A-Za-z0-9_-]{43}"$/)
  assert.deepEqual(parseEntityTag(tag), { weak: false, opaque: tag })
  assert.ok(parseCoilgunETag(tag)?.equals(hash))
  assert.equal(formatReprDigest(hash), 'sha-256=:uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=:')
  assert.ok(parseSha256ReprDigest(formatReprDigest(hash))?.equals(hash))
  assert.ok(parseAvailableDictionary(formatAvailableDictionary(hash))?.equals(hash))
})

test('tags that are not ours do not parse as versions', () => {
  for (const tag of ['"abc"', 'W/"cg-uU0nuZNNPgilLlLX2n2r-sSE7-N6U4DukIj3rOLvzek"', '"cg-uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek"', '"cg-short"', '']) {
    assert.equal(parseCoilgunETag(tag), undefined, tag)
  }
})
