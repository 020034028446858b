import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import express from 'express'
import { coilgun } from '@coilgun/express'
import { rawGet, SECRET } from '../../../test/support/originConformance.ts'

test('invalid options throw at creation with a coded error naming the option', () => {
  const cases: Array<[Record<string, unknown>, RegExp, string]> = [
    [{}, /secret/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: 'short' }, /secret/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, codecs: ['bsdiff'] }, /bsdiff/, 'COILGUN_ERR_UNKNOWN_CODEC'],
    [{ secret: SECRET, minBodyBytes: -1 }, /minBodyBytes/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, contentTypes: ['nope'] }, /contentTypes/, 'COILGUN_ERR_INVALID_OPTION'],
    [{ secret: SECRET, eligible: 'yes' }, /eligible/, 'COILGUN_ERR_INVALID_OPTION']
  ]
  for (const [options, message, code] of cases) {
    assert.throws(() => coilgun(options as never), { code, message })
  }
})

test('the app never sees the secret header, and HEAD/POST pass through', async (t) => {
  const middleware = coilgun({ secret: SECRET })
  const app = express()
  app.use(middleware)
  app.all('/headers', (req, res) => { res.type('application/json').send(JSON.stringify({ names: Object.keys(req.headers) })) })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>(resolve => server.once('listening', resolve))
  t.after(async () => { server.closeAllConnections(); server.close(); await middleware.close() })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/headers`
  const res = await rawGet(url, { 'coilgun-secret': SECRET, 'accept-encoding': 'identity' })
  assert.ok(!(JSON.parse(res.body.toString()) as { names: string[] }).names.includes('coilgun-secret'))
  const head = await rawGet(url, { 'coilgun-secret': SECRET }, 'HEAD')
  assert.equal(head.headers['repr-digest'], undefined)
})
