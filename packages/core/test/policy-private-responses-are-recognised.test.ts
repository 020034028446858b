import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ERR_INVALID_OPTION, isPrivateRequest, isPrivateResponse, resolvePrivacy, resolveOriginOptions } from '@coilgun/core'

// Issue 11: which responses are one visitor's page. The rule is in docs/PROTOCOL.md
// ("Private responses") and SECURITY.md.

test('the built-in rule: Cache-Control private or no-store, Set-Cookie, Vary naming Cookie or Authorization or *', () => {
  const privateOnes: Array<Record<string, string | string[]>> = [
    { 'cache-control': 'private' },
    { 'cache-control': 'max-age=0, PRIVATE' },
    { 'cache-control': 'private="set-cookie", max-age=60' },
    { 'cache-control': 'no-store' },
    { 'cache-control': ['public', 'no-store'] },
    { 'set-cookie': 'sid=1; HttpOnly' },
    { 'set-cookie': ['a=1', 'b=2'] },
    { vary: 'Cookie' },
    { vary: 'accept-encoding, cookie' },
    { vary: 'Authorization' },
    { vary: '*' },
    { vary: ['Accept-Language', 'Cookie'] }
  ]
  for (const headers of privateOnes) assert.equal(isPrivateResponse(headers), true, JSON.stringify(headers))
  const publicOnes: Array<Record<string, string | string[] | number>> = [
    {},
    { 'cache-control': 'public, max-age=60' },
    { 'cache-control': 'no-cache' },
    { 'cache-control': 'no-cache="private, no-store", max-age=5' },
    { 'cache-control': 's-maxage=10, privately-owned' },
    { vary: 'Accept-Encoding, Cookie-Consent' },
    { vary: 'X-Authorization-Hint' },
    { 'set-cookie': [] },
    { 'content-length': 10 }
  ]
  for (const headers of publicOnes) assert.equal(isPrivateResponse(headers), false, JSON.stringify(headers))
  assert.equal(isPrivateRequest({ authorization: 'Bearer x' }), true)
  assert.equal(isPrivateRequest({ cookie: 'sid=1' }), false, 'a cookie alone does not make the answer private: the response says')
})

test('operators extend the rule with paths and a predicate, never narrow it', () => {
  const policy = resolvePrivacy({
    privatePaths: ['/account', '/cart/'],
    isPrivate: (request, headers) => request.headers['x-tenant'] !== undefined || headers['x-personal'] === '1'
  })
  const ask = (path: string, requestHeaders: Record<string, string> = {}, responseHeaders: Record<string, string> = {}): boolean => policy.isPrivate({ path, headers: requestHeaders }, responseHeaders)
  assert.equal(ask('/account'), true)
  assert.equal(ask('/account?tab=2'), true)
  assert.equal(ask('/account/settings'), true)
  assert.equal(ask('/accounting'), false, 'a prefix matches whole path segments')
  assert.equal(ask('/cart/'), true)
  assert.equal(ask('/cart/items'), true)
  assert.equal(ask('/'), false)
  assert.equal(ask('/', { 'x-tenant': 'a' }), true)
  assert.equal(ask('/', {}, { 'x-personal': '1' }), true)
  assert.equal(ask('/', { authorization: 'Basic eA==' }), true)
  assert.equal(ask('/', {}, { 'cache-control': 'private' }), true, 'the predicate cannot make a private response public')
  assert.equal(policy.requestIsPrivate({ path: '/account', headers: {} }), true)
  assert.equal(policy.responseIsPrivate({ path: '/', headers: { authorization: 'Basic eA==' } }, {}), false, 'Authorization alone is the request\'s privacy, not the response\'s')
  assert.equal(policy.responseIsPrivate({ path: '/', headers: {} }, { vary: 'Cookie' }), true)
  assert.equal(policy.requestIsPrivate({ path: '/news', headers: {} }), false)
})

test('bad privacy options are coded errors naming the option', async () => {
  for (const [name, options] of [
    ['privatePaths', { privatePaths: ['account'] }],
    ['privatePaths', { privatePaths: '/account' }],
    ['isPrivate', { isPrivate: true }],
    ['privateDeltas', { privateDeltas: 'no' }],
    ['privateTtlMs', { privateTtlMs: 0 }]
  ] as const) {
    await assert.rejects(resolveOriginOptions({ secret: 'a-long-enough-secret-123', ...options } as never), (err: Error & { code?: string }) => err instanceof ERR_INVALID_OPTION && err.code === 'COILGUN_ERR_INVALID_OPTION' && err.message.includes(name), name)
  }
})
