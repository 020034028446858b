import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mergeVary } from '../src/index.ts'

// One Vary merge for the origin's answers and the sender's visitor responses
// (issue 14). RFC 9110 section 12.5.5: a Vary with a `*` member means anything about
// the request may select the response; it stays `*` whatever we would add.

test('without an application Vary, ours is the whole Vary', () => {
  assert.equal(mergeVary(undefined, 'Accept-Encoding'), 'Accept-Encoding')
  assert.equal(mergeVary('  ', 'Accept-Encoding, Available-Dictionary'), 'Accept-Encoding, Available-Dictionary')
  assert.equal(mergeVary([], 'Accept-Encoding'), 'Accept-Encoding')
})

test('our members are appended once, matched case-insensitively against the application\'s', () => {
  assert.equal(mergeVary('Cookie', 'Accept-Encoding'), 'Cookie, Accept-Encoding')
  assert.equal(mergeVary('accept-encoding, Cookie', 'Accept-Encoding, Available-Dictionary'), 'accept-encoding, Cookie, Available-Dictionary')
  assert.equal(mergeVary('Cookie,,  User-Agent ', 'Accept-Encoding'), 'Cookie, User-Agent, Accept-Encoding')
})

test('a Vary given as several header lines is merged as one list', () => {
  assert.equal(mergeVary(['Cookie', 'Accept-Encoding'], 'Accept-Encoding, Available-Dictionary'), 'Cookie, Accept-Encoding, Available-Dictionary')
})

test('a Vary of * stays *, alone or as one member among names, on either side of the link', () => {
  assert.equal(mergeVary('*', 'Accept-Encoding'), '*')
  assert.equal(mergeVary(' * ', 'Accept-Encoding, Available-Dictionary'), '*')
  assert.equal(mergeVary('Cookie, *', 'Accept-Encoding'), '*')
  assert.equal(mergeVary(['Cookie', '*'], 'Accept-Encoding'), '*')
})
