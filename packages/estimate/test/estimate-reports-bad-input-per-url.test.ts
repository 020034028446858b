import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import zlib from 'node:zlib'
import type { EstimateResult } from '@coilgun/estimate'
import { replayRoute, runCli, startServer, syntheticVersions, tempFile } from './support.ts'

// Issue 19: unreachable URLs, non-200 answers, non-text types, huge bodies (announced,
// streamed, or inflating past the cap), broken compression and a hanging server are
// each reported for their own URL, while the healthy URL next to them is measured in
// full (as is a URL that redirects); a bad argument stops the command with a coded error and exit status 1.

const MAX_BYTES = 100_000

async function closedPort (): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>(resolve => s.close(() => resolve()))
  return port
}

test('every kind of bad answer is reported for its URL and the healthy URL is still measured', async (t) => {
  const ok = { name: 'ok', ext: '.html', versions: syntheticVersions(40, 20_000, 'ok') }
  const bomb = zlib.gzipSync(Buffer.alloc(10 * MAX_BYTES, 'a'))
  const server = await startServer({
    '/ok': replayRoute(ok),
    '/image': (_req, res) => { res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2000)) },
    '/huge': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.alloc(3 * MAX_BYTES, 'x')) },
    '/huge-streamed': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }) // chunked: no Content-Length to refuse early
      for (let i = 0; i < 30; i++) res.write(Buffer.alloc(10_000, 'y'))
      res.end()
    },
    '/bomb': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb) },
    '/broken-gzip': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')) },
    '/hang': () => { /* never answers */ },
    // Followed, as a browser would: the version is what the redirect leads to.
    '/moved': (_req, res) => { res.writeHead(302, { location: '/target' }).end() },
    '/target': (_req, res, hit) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(`target version ${hit} `.repeat(50)) }
  })
  t.after(() => server.close())
  const unreachable = `http://127.0.0.1:${await closedPort()}/gone`
  const json = tempFile('bad.json')
  // The timeout is generous: the child measures changes on its main thread, and on a
  // loaded machine a short timer can fire before an answer that has arrived is read.
  const paths = ['/ok', '/moved', '/missing', '/image', '/huge', '/huge-streamed', '/bomb', '/broken-gzip', '/hang']
  const run = await runCli(['--every', '100ms', '--for', '1200ms', '--timeout', '1500ms', '--max-bytes', String(MAX_BYTES), '--concurrency', '10', '--json', json,
    ...paths.map(p => server.base + p), unreachable])
  assert.equal(run.code, 0, run.stderr)
  const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult
  const byPath = new Map(result.resources.map(r => [new URL(r.name).pathname, r]))
  const problems = (path: string): string[] => (byPath.get(path)?.problems ?? []).map(p => `${p.kind}: ${p.detail}`)

  const healthy = byPath.get('/ok')!
  assert.deepEqual(healthy.problems, [])
  assert.ok(healthy.changes >= 3, `ok changed ${healthy.changes} times`)
  assert.equal(healthy.changes, healthy.changeList.length)
  assert.ok((healthy.methods['link-vcdiff']?.total ?? 0) > 0)

  assert.deepEqual(problems('/missing'), ['status: HTTP 404'])
  assert.deepEqual(problems('/image'), ['not-text: image/png'])
  assert.deepEqual(problems('/huge'), [`too-large: more than ${MAX_BYTES} bytes`])
  assert.deepEqual(problems('/huge-streamed'), [`too-large: more than ${MAX_BYTES} bytes`])
  assert.deepEqual(problems('/bomb'), [`too-large: more than ${MAX_BYTES} bytes once decoded`])
  assert.equal(problems('/broken-gzip').length, 1)
  assert.match(problems('/broken-gzip')[0]!, /^bad-encoding: /)
  assert.deepEqual(problems('/hang'), ['timeout: no complete answer in time'])
  assert.deepEqual(problems('/gone'), ['unreachable: ECONNREFUSED'])
  const moved = byPath.get('/moved')!
  assert.deepEqual(moved.problems, [])
  assert.equal(moved.versionsSeen, moved.attempts)
  assert.equal(moved.changes, moved.attempts - 1)
  for (const path of [...paths.slice(2), '/gone']) {
    const r = byPath.get(path)!
    assert.equal(r.versionsSeen, 0, path)
    assert.equal(r.problems[0]!.count, r.attempts, `${path}: every attempt is reported`)
  }
  assert.match(run.stdout, /unreachable \(ECONNREFUSED\)/)
  assert.match(run.stdout, /status \(HTTP 404\)/)
})

test('a bad argument or an unreadable --dir stops with a coded error and exit status 1', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'coilgun-estimate-empty-'))
  const cases: Array<[string[], string]> = [
    [[], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--every', '60', 'http://127.0.0.1:9/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--every', '10ms', 'http://example.org/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--polls', '0', 'http://127.0.0.1:9/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--frobnicate', 'http://127.0.0.1:9/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['ftp://127.0.0.1/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--dir', empty, 'http://127.0.0.1:9/'], 'COILGUN_ERR_ESTIMATE_ARGUMENT'],
    [['--dir', join(empty, 'nope')], 'COILGUN_ERR_ESTIMATE_INPUT'],
    [['--dir', empty], 'COILGUN_ERR_ESTIMATE_INPUT']
  ]
  for (const [args, code] of cases) {
    const run = await runCli(args)
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`)
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
    assert.match(run.stderr, new RegExp(`^coilgun-estimate: ${code}: `), args.join(' '))
  }
})
