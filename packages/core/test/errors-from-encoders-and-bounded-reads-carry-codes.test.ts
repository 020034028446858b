import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { readBounded } from '../src/index.ts'
import { deltaFromResult, EncoderPool } from '../src/origin/encoderPool.ts'

// Issue 14 / STYLE rule 4: every error Coilgun throws carries a documented code,
// including the encoder pool's and readBounded's, which used to be plain Errors.

test('a body that closes before its end is COILGUN_ERR_BODY_INCOMPLETE', async () => {
  const body = new Readable({ read () {} })
  body.push(Buffer.from('half a page'))
  const read = readBounded(body, 1024)
  setImmediate(function closeWithoutEnd () { body.destroy() })
  await assert.rejects(read, { code: 'COILGUN_ERR_BODY_INCOMPLETE' })
})

test('a task for a closed encoder pool is COILGUN_ERR_ENCODER_CLOSED', async () => {
  const pool = new EncoderPool({ workers: 1, largeBytes: 1 << 20, queueMax: 4, timeoutMs: 10_000, codecs: ['vcdiff'] })
  await pool.close()
  await assert.rejects(pool.run({ kind: 'full', target: Buffer.from('page'), coding: 'gzip' }), { code: 'COILGUN_ERR_ENCODER_CLOSED' })
})

test('a failure reported by an encoder worker is COILGUN_ERR_ENCODER_WORKER', () => {
  assert.throws(() => deltaFromResult({ id: 1, ok: false, error: 'out of memory' }), { code: 'COILGUN_ERR_ENCODER_WORKER', message: /out of memory/ })
})
