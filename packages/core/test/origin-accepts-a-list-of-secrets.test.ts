import assert from 'node:assert/strict'
import { test } from 'node:test'
import { OriginResponder, resolveOriginOptions, SenderAuth, validateOriginOptions } from '@coilgun/core'

// Issue 16: the origin side (plugin, middleware, listener) accepts a list of
// secrets, current first, so a fleet can rotate: origins accept old and new, senders
// move to the new one, then the old one is dropped. All through the same options.

const CURRENT = 'current-secret-0123456789'
const PREVIOUS = 'previous-secret-0123456789'

test('SenderAuth accepts every listed secret and nothing else; replaceSecrets takes effect at once', () => {
  const auth = new SenderAuth([CURRENT, PREVIOUS])
  assert.equal(auth.authenticate(CURRENT), true)
  assert.equal(auth.authenticate(PREVIOUS), true)
  assert.equal(auth.authenticate('someone-else-0123456789'), false)
  auth.replaceSecrets([CURRENT])
  assert.equal(auth.authenticate(PREVIOUS), false)
  assert.equal(auth.authenticate(CURRENT), true)
})

test('origin options take a string or a non-empty list; each entry is validated with its index', async () => {
  assert.deepEqual(validateOriginOptions({ secret: [CURRENT, PREVIOUS] }).secrets, [CURRENT, PREVIOUS])
  assert.deepEqual(validateOriginOptions({ secret: CURRENT }).secrets, [CURRENT])
  assert.throws(() => validateOriginOptions({ secret: [] }), { code: 'COILGUN_ERR_INVALID_OPTION' })
  assert.throws(() => validateOriginOptions({ secret: [CURRENT, 'short'] }), (err: Error) => (err as Error & { code: string }).code === 'COILGUN_ERR_INVALID_OPTION' && err.message.includes('secret[1]'))
  const options = await resolveOriginOptions({ secret: [CURRENT, PREVIOUS], encodeWorkers: 0 })
  const responder = new OriginResponder(options)
  const request = (secret: string): boolean => responder.requestEligible({ method: 'GET', headers: { 'coilgun-secret': secret }, remoteAddress: '127.0.0.1' })
  assert.equal(request(PREVIOUS), true)
  responder.replaceSecrets([CURRENT])
  assert.equal(request(PREVIOUS), false)
  await responder.close()
})
