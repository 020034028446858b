import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseAvailableDictionary } from '../src/headers/index.ts'
import { formatAvailableDictionary, sha256 } from '../src/digest.ts'

// RFC 9842 section 2.2 example value.
const EXAMPLE = 'pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4='

test('Available-Dictionary: parses the RFC 9842 section 2.2 example into 32 bytes', () => {
  const hash = parseAvailableDictionary(`:${EXAMPLE}:`)
  assert.ok(hash)
  assert.equal(hash.length, 32)
  assert.equal(hash.toString('base64'), EXAMPLE)
})

test('Available-Dictionary: round-trips formatAvailableDictionary from digest.ts', () => {
  const hash = sha256(Buffer.from('dictionary body'))
  assert.deepEqual(parseAvailableDictionary(formatAvailableDictionary(hash)), hash)
  assert.deepEqual(parseAvailableDictionary([formatAvailableDictionary(hash)]), hash)
})

test('Available-Dictionary: surrounding spaces and unknown parameters are tolerated', () => {
  assert.equal(parseAvailableDictionary(`  :${EXAMPLE}:  `)?.toString('base64'), EXAMPLE)
  assert.equal(parseAvailableDictionary(`:${EXAMPLE}:;v=1;x`)?.toString('base64'), EXAMPLE)
  assert.equal(parseAvailableDictionary(`:${EXAMPLE.slice(0, -1)}:`)?.toString('base64'), EXAMPLE, 'unpadded')
})

test('Available-Dictionary: invalid base64 is rejected, not silently repaired', () => {
  for (const bad of [
    `:${EXAMPLE.slice(0, -2)}*=:`,
    `:${EXAMPLE.slice(0, 20)} ${EXAMPLE.slice(20)}:`,
    `:${EXAMPLE.slice(0, 5)}-${EXAMPLE.slice(6)}:`,
    `:${EXAMPLE.slice(0, 5)}_${EXAMPLE.slice(6)}:`,
    `:${EXAMPLE}=:`,
    `:=${EXAMPLE.slice(0, -1)}:`
  ]) {
    assert.equal(parseAvailableDictionary(bad), undefined, bad)
  }
})

test('Available-Dictionary: only a SHA-256 length (32 bytes) is accepted', () => {
  assert.equal(parseAvailableDictionary(`:${Buffer.alloc(31).toString('base64')}:`), undefined)
  assert.equal(parseAvailableDictionary(`:${Buffer.alloc(33).toString('base64')}:`), undefined)
  assert.equal(parseAvailableDictionary(`:${Buffer.alloc(64).toString('base64')}:`), undefined)
  assert.equal(parseAvailableDictionary('::'), undefined)
})

test('Available-Dictionary: anything but a single sf-binary is treated as absent', () => {
  for (const bad of [
    EXAMPLE,
    `"${EXAMPLE}"`,
    `:${EXAMPLE}`,
    `${EXAMPLE}:`,
    `:${EXAMPLE}:, :${EXAMPLE}:`,
    `:${EXAMPLE}: x`,
    `:${EXAMPLE}:;X=1`,
    `:${EXAMPLE}:;v=`,
    'sha-256',
    '',
    '?1'
  ]) {
    assert.equal(parseAvailableDictionary(bad), undefined, bad)
  }
  assert.equal(parseAvailableDictionary(undefined), undefined)
})

test('Available-Dictionary: a repeated header is rejected, even with equal values', () => {
  assert.equal(parseAvailableDictionary([`:${EXAMPLE}:`, `:${EXAMPLE}:`]), undefined)
  assert.equal(parseAvailableDictionary([]), undefined)
})
