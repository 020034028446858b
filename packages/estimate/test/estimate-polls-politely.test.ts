import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { test } from 'node:test'
import type { EstimateResult } from '@coilgun/estimate'
import { parseRetryAfter } from '../src/versionFetcher.ts'
import { replayRoute, runCli, startServer, syntheticVersions, tempFile } from './support.ts'

// Issue 19: the estimate polls as a visitor would and no harder: an honest
// User-Agent that names the tool and its version, never two polls of a URL closer
// than --every, no poll before a Retry-After has passed (RFC 9110 section 10.2.3),
// and never more requests in flight than --concurrency.

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

test('User-Agent names the tool, polls keep --every apart, and Retry-After holds the next poll back', async () => {
  const pageSet = { name: 'page', ext: '.html', versions: syntheticVersions(40, 5_000, 'p') }
  const server = await startServer({
    '/page': replayRoute(pageSet),
    '/busy': (_req, res) => { res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('busy') }
  })
  try {
    const json = tempFile('polite.json')
    const run = await runCli(['--every', '150ms', '--for', '1400ms', '--json', json, `${server.base}/page`, `${server.base}/busy`])
    assert.equal(run.code, 0, run.stderr)
    const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult

    assert.ok(server.log.length > 0)
    for (const r of server.log) assert.match(r.userAgent ?? '', new RegExp(`^coilgun-estimate/${pkg.version.replace(/\./g, '\\.')} `))

    const page = result.resources.find(r => r.name.endsWith('/page'))!
    const pageHits = server.log.filter(r => r.path === '/page').length
    assert.equal(page.attempts, pageHits)
    // At most one poll per 150 ms over 1.4 s: 10 polls (the first at 0 ms).
    assert.ok(pageHits >= 4 && pageHits <= 10, `${pageHits} polls of /page`)
    // The starts of two polls of a URL are never closer than --every (the client's
    // own clock: the server sees arrivals, which a first connection's setup delays).
    const starts = page.pollOffsetsMs
    assert.equal(starts.length, pageHits)
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!)
    assert.ok(Math.min(...gaps) >= 150, `gaps ${gaps.join(', ')} ms`)

    const busy = server.log.filter(r => r.path === '/busy').map(r => r.atMs)
    // Retry-After: 1 → the second poll waits a second, so at most two in 1.4 s.
    assert.ok(busy.length >= 1 && busy.length <= 2, `${busy.length} polls of /busy`)
    if (busy.length === 2) assert.ok(busy[1]! - busy[0]! >= 900, `Retry-After kept: ${busy[1]! - busy[0]!} ms`)
    assert.ok(busy.length < pageHits)
    const busyResult = result.resources.find(r => r.name.endsWith('/busy'))!
    assert.deepEqual(busyResult.problems.map(p => `${p.kind}: ${p.detail}`), ['status: HTTP 503'])
  } finally {
    await server.close()
  }
})

test('no more requests in flight than --concurrency, over all URLs', async () => {
  const slow = (_req: unknown, res: ServerResponse): void => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${Date.now()}`), 120)
  }
  const paths = ['/a', '/b', '/c', '/d', '/e', '/f']
  const server = await startServer(Object.fromEntries(paths.map(p => [p, slow])))
  try {
    const run = await runCli(['--every', '10ms', '--polls', '2', '--concurrency', '2', ...paths.map(p => server.base + p)])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(server.log.length, 12)
    assert.equal(server.maxInFlight, 2)
  } finally {
    await server.close()
  }
})

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-11-30T12:00:00Z')
  assert.equal(parseRetryAfter('120', now), 120_000)
  assert.equal(parseRetryAfter('Mon, 30 Nov 2026 12:00:30 GMT', now), 30_000)
  assert.equal(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now), 0)
  assert.equal(parseRetryAfter('soon', now), undefined)
  assert.equal(parseRetryAfter(undefined, now), undefined)
})
