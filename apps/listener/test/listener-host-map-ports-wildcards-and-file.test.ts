import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadListenerConfig } from '@coilgun/listener'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { SECRET, startListener } from './harness.ts'

// Issue 16: `a.test:8080=…` and `*.example.com=…` were refused with a misleading
// message, and the map could only come from one environment variable. Entries may
// now carry a port or be wildcards, the most specific wins, and the map can come
// from COILGUN_ORIGINS_FILE (in the spirit of Railgun's map.file).

async function namedOrigin (name: string): Promise<{ url: string, server: Server }> {
  const server = createServer((_req, res) => { res.end(`origin ${name}`) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

test('host:port and wildcard entries: the most specific entry answers', async t => {
  const o = await Promise.all(['port', 'exact', 'deep', 'wild', 'fallback'].map(namedOrigin))
  const [port, exact, deep, wild, fallback] = o
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-map-'))
  const file = join(dir, 'origins.map')
  writeFileSync(file, [
    '# the host map of the listener',
    `www.example.test:8080 = ${port!.url}`,
    `www.example.test=${exact!.url}`,
    `*.deep.example.test ${deep!.url}   # Railgun-like "host url" form`,
    `*.example.test=${wild!.url}`,
    `default=${fallback!.url}`,
    ''
  ].join('\n'))
  const { listener, url } = await startListener({ COILGUN_ORIGINS_FILE: file })
  t.after(async () => { await listener.close(); for (const x of o) x.server.close() })
  const cases: Array<[string, string]> = [
    ['www.example.test:8080', 'port'],
    ['www.example.test', 'exact'],
    ['WWW.Example.Test:9999', 'exact'],
    ['a.deep.example.test', 'deep'],
    ['x.y.deep.example.test:8080', 'deep'],
    ['shop.example.test', 'wild'],
    ['example.test', 'fallback'],
    ['deep.example.test', 'wild'],
    ['other.test', 'fallback']
  ]
  for (const [host, expected] of cases) {
    assert.equal((await rawGet(`${url}/`, { host })).body.toString(), `origin ${expected}`, host)
  }
})

test('a wildcard never matches the bare domain, and without default an unlisted host gets 421', async t => {
  const wild = await namedOrigin('wild')
  const { listener, url } = await startListener({ COILGUN_ORIGINS: `*.example.test=${wild.url}` })
  t.after(async () => { await listener.close(); wild.server.close() })
  assert.equal((await rawGet(`${url}/`, { host: 'a.example.test' })).body.toString(), 'origin wild')
  assert.equal((await rawGet(`${url}/`, { host: 'example.test' })).status, 421)
  assert.equal((await rawGet(`${url}/`, { host: 'a.example.test.evil' })).status, 421)
})

test('bad host-map entries name the variable, the file line and the entry', () => {
  const base = { COILGUN_SECRET: SECRET }
  for (const entry of ['*=http://a:1', 'a.*.test=http://a:1', 'a.test:99999=http://a:1', 'a.test=ftp://x', 'a b c']) {
    assert.throws(() => loadListenerConfig({ ...base, COILGUN_ORIGINS: entry }), { code: 'COILGUN_ERR_INVALID_CONFIG', variable: 'COILGUN_ORIGINS' }, entry)
  }
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-map-'))
  const file = join(dir, 'bad.map')
  writeFileSync(file, 'ok.test=http://127.0.0.1:1\n\nbad_host!=http://127.0.0.1:2\n')
  assert.throws(() => loadListenerConfig({ ...base, COILGUN_ORIGINS_FILE: file }), (err: Error & { variable: string }) => err.variable === 'COILGUN_ORIGINS_FILE' && err.message.includes('line 3'))
  assert.throws(() => loadListenerConfig({ ...base, COILGUN_ORIGINS_FILE: join(dir, 'missing.map') }), { variable: 'COILGUN_ORIGINS_FILE' })
  assert.throws(() => loadListenerConfig({ ...base, COILGUN_ORIGINS_FILE: file, COILGUN_ORIGINS: 'a.test=http://127.0.0.1:1' }), { variable: 'COILGUN_ORIGINS_FILE' })
})
