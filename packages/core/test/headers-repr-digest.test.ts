import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { parseReprDigest, parseSha256ReprDigest } from '../src/headers/index.ts'
import { formatReprDigest, sha256 } from '../src/digest.ts'

// RFC 9530 section 3 / appendix B: the digests of `{"hello": "world"}`.
const HELLO = Buffer.from('{"hello": "world"}')
const HELLO_SHA256 = 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='
const HELLO_SHA512 = 'WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew=='

test('Repr-Digest: parses the RFC 9530 sha-256 example into the 32 digest bytes', () => {
  const digest = parseSha256ReprDigest(`sha-256=:${HELLO_SHA256}:`)
  assert.deepEqual(digest, sha256(HELLO))
})

test('Repr-Digest: round-trips formatReprDigest from digest.ts', () => {
  const hash = sha256(Buffer.from('some page'))
  assert.deepEqual(parseSha256ReprDigest(formatReprDigest(hash)), hash)
  assert.deepEqual([...parseReprDigest(formatReprDigest(hash)).keys()], ['sha-256'])
})

test('Repr-Digest: several algorithms, with parameters, in one field or repeated lines', () => {
  const sha512 = createHash('sha512').update(HELLO).digest()
  for (const value of [
    `sha-256=:${HELLO_SHA256}:, sha-512=:${HELLO_SHA512}:`,
    `sha-512=:${HELLO_SHA512}:;foo=1;bar="x",sha-256=:${HELLO_SHA256}:;baz`,
    [`sha-256=:${HELLO_SHA256}:`, `sha-512=:${HELLO_SHA512}:`],
    ['', `sha-256=:${HELLO_SHA256}:`, ' ', `sha-512=:${HELLO_SHA512}:`]
  ]) {
    const parsed = parseReprDigest(value)
    assert.equal(parsed.size, 2)
    assert.deepEqual(parsed.get('sha-256'), sha256(HELLO))
    assert.deepEqual(parsed.get('sha-512'), sha512)
  }
})

test('Repr-Digest: members that are not byte sequences are skipped', () => {
  const parsed = parseReprDigest(`unixsum=42, sha-256=:${HELLO_SHA256}:, id="x", flag, tok=abc, n=1.5, l=(1 2 "x" :AA==:);p=?0, b=?1, d=@1700000000`)
  assert.deepEqual([...parsed.keys()], ['sha-256'])
})

test('Repr-Digest: a member with invalid base64 voids the whole field (RFC 9651 section 4.2.7)', () => {
  for (const bad of [':not*base64:', ':A:', ':AAAAA:', ':====:', ':AA=A:', ':QUJD\u00e9:']) {
    const parsed = parseReprDigest(`sha-512=${bad}, sha-256=:${HELLO_SHA256}:`)
    assert.equal(parsed.size, 0, bad)
  }
})

test('Repr-Digest: unpadded base64 is accepted, as RFC 8941 section 4.2.7 asks', () => {
  assert.deepEqual(parseSha256ReprDigest(`sha-256=:${HELLO_SHA256.replace(/=+$/, '')}:`), sha256(HELLO))
})

test('Repr-Digest: a sha-256 digest of the wrong length is not a SHA-256', () => {
  const short = Buffer.alloc(31, 7).toString('base64')
  const long = Buffer.alloc(33, 7).toString('base64')
  assert.equal(parseReprDigest(`sha-256=:${short}:`).get('sha-256')?.length, 31)
  assert.equal(parseSha256ReprDigest(`sha-256=:${short}:`), undefined)
  assert.equal(parseSha256ReprDigest(`sha-256=:${long}:`), undefined)
  assert.equal(parseSha256ReprDigest('sha-256=::'), undefined)
})

test('Repr-Digest: a dictionary syntax error voids the whole field (RFC 8941 section 4.2)', () => {
  for (const bad of [
    `sha-256=:${HELLO_SHA256}:,`,
    `sha-256=:${HELLO_SHA256}:, SHA-512=:${HELLO_SHA512}:`,
    `sha-256=:${HELLO_SHA256}`,
    `sha-256=:${HELLO_SHA256}: junk`,
    `sha-256=:${HELLO_SHA256}:;`,
    `sha-256=:${HELLO_SHA256}:, x="unterminated`,
    `sha-256=:${HELLO_SHA256}:, x=1234567890123456`,
    `sha-256=:${HELLO_SHA256}:, x=(1 2`,
    `sha-256 =:${HELLO_SHA256}:`,
    `sha-256=:${HELLO_SHA256}:, x=:***:;p=:***:`
  ]) {
    assert.equal(parseReprDigest(bad).size, 0, bad)
  }
})

test('Repr-Digest: a repeated algorithm takes its last value', () => {
  const other = Buffer.alloc(32, 1)
  assert.deepEqual(parseSha256ReprDigest(`sha-256=:${HELLO_SHA256}:, sha-256=:${other.toString('base64')}:`), other)
  assert.equal(parseSha256ReprDigest(`sha-256=:${HELLO_SHA256}:, sha-256=?1`), undefined)
})

test('Repr-Digest: absent or empty fields give no digests', () => {
  assert.equal(parseReprDigest(undefined).size, 0)
  assert.equal(parseReprDigest('').size, 0)
  assert.equal(parseReprDigest([]).size, 0)
  assert.equal(parseSha256ReprDigest(undefined), undefined)
})

test('Repr-Digest: members beyond the 64th are ignored', () => {
  const filler = Array.from({ length: 64 }, (_, i) => `x${i}=:AA==:`).join(', ')
  assert.equal(parseSha256ReprDigest(`${filler}, sha-256=:${HELLO_SHA256}:`), undefined)
  assert.deepEqual(parseSha256ReprDigest(`sha-256=:${HELLO_SHA256}:, ${filler}`), sha256(HELLO))
})
