import assert from 'node:assert/strict'
import { test } from 'node:test'
import { methodEligible, resolveEligibility } from '@coilgun/core'

test('Railgun content types are eligible, binary types are not', () => {
  const policy = resolveEligibility()
  for (const type of ['text/html; charset=utf-8', 'TEXT/PLAIN', 'application/json', 'application/ld+json', 'application/javascript', 'application/ecmascript', 'application/x-javascript', 'application/xml', 'application/atom+xml', 'application/rss+xml;charset=utf-8']) {
    assert.ok(policy.contentTypeEligible(type), type)
  }
  for (const type of [undefined, '', 'image/png', 'application/octet-stream', 'application/zip', 'video/mp4', 'application/+xml', 'text', 'application/xmlfoo']) {
    assert.ok(!policy.contentTypeEligible(type), String(type))
  }
})

test('custom content types and size bounds', () => {
  const policy = resolveEligibility({ contentTypes: ['application/vnd.api+json', 'image/*'], minBodyBytes: 10, maxBodyBytes: 100 })
  assert.ok(policy.contentTypeEligible('application/vnd.api+json'))
  assert.ok(policy.contentTypeEligible('image/svg+xml'))
  assert.ok(!policy.contentTypeEligible('text/html'))
  assert.ok(!policy.sizeEligible(9))
  assert.ok(policy.sizeEligible(10))
  assert.ok(policy.sizeEligible(100))
  assert.ok(!policy.sizeEligible(101))
  assert.ok(Object.isFrozen(policy))
})

test('invalid eligibility options are coded errors naming the option', () => {
  assert.throws(() => resolveEligibility({ minBodyBytes: -1 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /minBodyBytes/ })
  assert.throws(() => resolveEligibility({ maxBodyBytes: 0 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /maxBodyBytes/ })
  assert.throws(() => resolveEligibility({ minBodyBytes: 50, maxBodyBytes: 10 }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /minBodyBytes/ })
  assert.throws(() => resolveEligibility({ contentTypes: ['html'] }), { code: 'COILGUN_ERR_INVALID_OPTION', message: /contentTypes/ })
})

test('only GET and HEAD are eligible methods', () => {
  assert.ok(methodEligible('GET'))
  assert.ok(methodEligible('HEAD'))
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'get']) assert.ok(!methodEligible(m), m)
})
