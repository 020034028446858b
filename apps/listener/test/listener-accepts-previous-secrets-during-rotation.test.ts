import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { startListener, startSender } from './harness.ts'

// Issue 16: only one secret was accepted (rotation meant downtime) and it could only
// come from an environment variable. The listener now takes COILGUN_SECRET_FILE,
// whose further lines (and COILGUN_PREVIOUS_SECRETS) are previous secrets still
// accepted; senders present the first line.

const CURRENT = 'current-secret-0123456789'
const PREVIOUS = 'previous-secret-0123456789'
const ANOTHER = 'another-secret-01234567890'
const PAGE = `<html><body>${'rotation '.repeat(400)}</body></html>`

test('senders with the current or a previous secret get Coilgun answers; any other secret gets passthrough', async t => {
  const origin = createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end(PAGE) })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-secret-'))
  const listenerFile = join(dir, 'listener.secret')
  writeFileSync(listenerFile, `${CURRENT}\n# kept until every sender has moved\n${PREVIOUS}\n`)
  const senderFile = join(dir, 'sender.secret')
  writeFileSync(senderFile, `${CURRENT}\n`)
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, COILGUN_SECRET: '', COILGUN_SECRET_FILE: listenerFile })
  const senders = await Promise.all([
    startSender(listenerUrl, { COILGUN_SECRET: '', COILGUN_SECRET_FILE: senderFile }),
    startSender(listenerUrl, { COILGUN_SECRET: PREVIOUS }),
    startSender(listenerUrl, { COILGUN_SECRET: ANOTHER })
  ])
  t.after(async () => { for (const s of senders) await s.sender.close(); await listener.close(); origin.close() })

  const outcomes = []
  for (const { url } of senders) {
    const res = await rawGet(`${url}/page`)
    assert.equal(res.body.toString(), PAGE)
    outcomes.push(String(res.headers.coilgun).split(';')[0])
  }
  assert.deepEqual(outcomes, ['full', 'full', 'passthrough'])
})

test('COILGUN_PREVIOUS_SECRETS adds accepted secrets to COILGUN_SECRET', async t => {
  const origin = createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end(PAGE) })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, COILGUN_SECRET: CURRENT, COILGUN_PREVIOUS_SECRETS: `${PREVIOUS} ${ANOTHER}` })
  const { sender, url } = await startSender(listenerUrl, { COILGUN_SECRET: ANOTHER })
  t.after(async () => { await sender.close(); await listener.close(); origin.close() })
  assert.match(String((await rawGet(`${url}/page`)).headers.coilgun), /^full/)
})
