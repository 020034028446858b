import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadSenderConfig } from '@coilgun/sender'
import { startFastifyOrigin } from '../../../packages/fastify/test/app.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { SECRET, startSender } from './harness.ts'

// Issue 16: the sender's secret can come from COILGUN_SECRET_FILE, and a rotated
// file is picked up by a reload (what SIGHUP runs) without a restart.

test('a reloaded secret file takes effect on the next request', async t => {
  const pages = versionedPages(1)
  const origin = await startFastifyOrigin(pages, { current: new Map() }, { plugin: true, compress: false })
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-sender-secret-'))
  const file = join(dir, 'secret')
  writeFileSync(file, 'an-old-secret-the-origin-forgot\n')
  const env = { COILGUN_UPSTREAM: origin.url, COILGUN_SECRET: '', COILGUN_SECRET_FILE: file }
  const { sender, url } = await startSender(origin.url, env)
  t.after(async () => { await sender.close(); await origin.close() })
  const path = `/page/${pages[0]!.name}`

  assert.match(String((await fetch(`${url}${path}`)).headers.get('coilgun')), /^passthrough/)
  writeFileSync(file, `${SECRET}\n`)
  assert.deepEqual(sender.reload(loadSenderConfig(env)), ['secret'])
  assert.match(String((await fetch(`${url}${path}`)).headers.get('coilgun')), /^full/)
  assert.deepEqual(sender.reload(loadSenderConfig(env)), [])
})
