import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { startListener } from '../apps/listener/test/harness.ts'
import { startSender } from '../apps/sender/test/harness.ts'
import { chromiumMissing, launchChromium } from './support/chromium.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// Issue 19: `GET /` on the admin port of a running sender and listener is a live
// status page. Headless Chromium opens it after traffic has flowed; the charts must
// render with data, the table must name the resources, nothing may load from another
// host, and a screenshot is written as an artifact.

const INTERVAL_MS = 250
const ARTIFACTS = process.env.COILGUN_TEST_ARTIFACTS ?? join(tmpdir(), 'coilgun-test-artifacts')

function adminUrl (admin: FastifyInstance | undefined): string {
  const address = admin!.server.address() as AddressInfo
  return `http://127.0.0.1:${address.port}/`
}

test('the status pages of a running sender and listener draw live charts from their metrics', { skip: chromiumMissing() ?? false }, async (t) => {
  const pages = versionedPages(8)
  let version = 0
  // A plain origin (no plugin): the listener computes the versions.
  const origin = Fastify()
  origin.get<{ Params: { name: string } }>('/page/:name', async function page (request, reply) {
    const p = pages.find(x => x.name === request.params.name)!
    reply.header('content-type', p.contentType)
    return reply.send(p.versions[version % p.versions.length])
  })
  const originUrl = await origin.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => origin.close())
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: originUrl, COILGUN_ADMIN_LISTEN: '127.0.0.1:0' }, { statusIntervalMs: INTERVAL_MS })
  t.after(() => listener.close())
  const { sender, url } = await startSender(listenerUrl, { COILGUN_ADMIN_LISTEN: '127.0.0.1:0' }, { statusIntervalMs: INTERVAL_MS })
  t.after(() => sender.close())

  // Traffic over several intervals while versions change: deltas, fulls, not-modified.
  for (version = 0; version < 6; version++) {
    for (const p of pages) {
      const res = await fetch(`${url}/page/${p.name}?v=${version % 2 === 0 ? "a" : "b"}`.replace(/\?v=a$/, ""))
      assert.equal(res.status, 200)
      await res.arrayBuffer()
    }
    await new Promise(resolve => setTimeout(resolve, INTERVAL_MS))
  }

  const chromium = await launchChromium()
  t.after(() => chromium.close())
  mkdirSync(ARTIFACTS, { recursive: true })
  for (const [name, admin, charts] of [
    ['sender', sender.admin, ['chart-bytes', 'chart-outcomes', 'chart-codecs', 'chart-latency', 'chart-cache-bytes', 'chart-cache-entries', 'chart-verification']],
    ['listener', listener.admin, ['chart-bytes', 'chart-outcomes', 'chart-latency']]
  ] as const) {
    const base = adminUrl(admin)
    const page = await chromium.browser.newPage({ viewport: { width: 1240, height: 1400 } })
    const elsewhere: string[] = []
    const errors: string[] = []
    page.on('request', (r) => { if (!r.url().startsWith(base)) elsewhere.push(r.url()) })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(base, { waitUntil: 'load' })
    await page.waitForSelector('body[data-updated]')
    for (const id of charts) {
      const points = Number(await page.getAttribute(`#${id}`, 'data-points'))
      const nonzero = Number(await page.getAttribute(`#${id}`, 'data-nonzero'))
      const canvases = await page.locator(`#${id} .uplot canvas`).count()
      t.diagnostic(`${name} ${id}: ${points} points, ${nonzero} non-zero values`)
      assert.equal(canvases, 1, `${name}: ${id} is drawn`)
      assert.ok(points >= 3, `${name}: ${id} has a point per interval (${points})`)
      if (id !== 'chart-verification') assert.ok(nonzero > 0, `${name}: ${id} shows data`)
    }
    const rows = await page.locator('#top-body tr').allTextContents()
    assert.ok(rows.some(r => r.includes('/page/')), `${name}: the table names the resources that saved the most`)
    assert.ok(rows.every(r => !r.includes('?')), `${name}: no query string is shown`)
    const totals = await page.textContent('#totals')
    assert.match(totals ?? '', /crossed the link for .* of pages served/)
    assert.deepEqual(elsewhere, [], `${name}: nothing is loaded from elsewhere`)
    assert.deepEqual(errors, [], `${name}: no script errors`)
    const shot = join(ARTIFACTS, `status-page-${name}.png`)
    await page.screenshot({ path: shot, fullPage: true })
    t.diagnostic(`screenshot: ${shot}`)
    await page.close()
  }
})
