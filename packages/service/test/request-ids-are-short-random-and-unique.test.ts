import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { requestIdGenerator } from '../src/requestId.ts'

// Issue 16 gives every request an id passed to the origin; issue 17 keeps it short on
// the link: 96 random bits as 16 characters of base64url instead of a 36-character UUID.

function requestWith (id: string | undefined): IncomingMessage {
  return { headers: id === undefined ? {} : { 'x-request-id': id } } as unknown as IncomingMessage
}

test('generated request ids are 16 characters of base64url, all different across many pool refills', () => {
  const next = requestIdGenerator(false)
  const seen = new Set<string>()
  for (let i = 0; i < 20_000; i++) {
    const id = next(requestWith(undefined))
    assert.match(id, /^[A-Za-z0-9_-]{16}$/)
    seen.add(id)
  }
  assert.equal(seen.size, 20_000)
  // Random, not a counter: the characters at each position vary.
  const firsts = new Set([...seen].map(id => id[0]))
  assert.ok(firsts.size > 50, `first characters seen: ${firsts.size}`)
})

test('an id from a trusted hop is kept when it looks like one; anything else gets a new id', () => {
  const trusting = requestIdGenerator(true)
  assert.equal(trusting(requestWith('edge-7f3a-0001')), 'edge-7f3a-0001')
  assert.match(trusting(requestWith('bad id\twith spaces')), /^[A-Za-z0-9_-]{16}$/)
  assert.match(trusting(requestWith('x'.repeat(129))), /^[A-Za-z0-9_-]{16}$/)
  assert.match(requestIdGenerator(false)(requestWith('edge-7f3a-0001')), /^[A-Za-z0-9_-]{16}$/)
})
