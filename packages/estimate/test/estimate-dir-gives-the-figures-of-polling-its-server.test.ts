import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { EstimateResult } from '@coilgun/estimate'
import { replayRoute, runCli, startServer, tempFile, testSets, writeSetsToDir } from './support.ts'

// Issue 19: `--dir` on a folder of saved versions (one sub-folder per resource, a
// manifest beside the versions as in the shared corpus) gives the same figures as
// polling a server that serves those versions one after another. The HTML report is
// one self-contained file: the chart is inline SVG with one bar per resource and
// method, and nothing is loaded from another host.

const VERSIONS = 6

test('--dir on saved versions gives the same figures as polling a server that replays them', async (t) => {
  const { source, sets } = testSets(VERSIONS)
  t.diagnostic(`versions: ${source}`)
  const dir = writeSetsToDir(sets)
  const server = await startServer(Object.fromEntries(sets.map(s => [`/${s.name}`, replayRoute(s)])))
  t.after(() => server.close())

  const fromDir = tempFile('dir.json')
  const report = tempFile('report.html')
  const dirRun = await runCli(['--dir', dir, '--json', fromDir, '--report', report])
  assert.equal(dirRun.code, 0, dirRun.stderr)
  const fromPolls = tempFile('polls.json')
  const pollRun = await runCli(['--every', '10ms', '--polls', String(VERSIONS), '--json', fromPolls, ...sets.map(s => `${server.base}/${s.name}`)])
  assert.equal(pollRun.code, 0, pollRun.stderr)

  const a = JSON.parse(readFileSync(fromDir, 'utf8')) as EstimateResult
  const b = JSON.parse(readFileSync(fromPolls, 'utf8')) as EstimateResult
  assert.equal(a.mode, 'dir')
  assert.equal(b.mode, 'poll')
  assert.deepEqual(a.resources.map(r => r.name), sets.map(s => s.name))
  for (const [i, r] of a.resources.entries()) {
    const p = b.resources[i]!
    assert.equal(r.attempts, VERSIONS, 'manifest.tsv is not a version')
    assert.match(r.notes.join(' '), /manifest\.tsv/)
    assert.equal(r.changes, p.changes)
    assert.ok(r.changes >= VERSIONS - 2)
    assert.deepEqual(r.changeList.map(c => ({ from: c.from, to: c.to, size: c.size, methods: c.methods })), p.changeList.map(c => ({ from: c.from, to: c.to, size: c.size, methods: c.methods })))
    assert.deepEqual(r.methods, p.methods)
  }
  assert.deepEqual(a.total.methods, b.total.methods)

  // The table names every resource and the total.
  for (const s of sets) assert.match(dirRun.stdout, new RegExp(s.name))
  assert.match(dirRun.stdout, /bytes per change/)
  assert.ok(!(dirRun.stdout + pollRun.stdout).includes('\u001b['), 'no progress bar or colour when stdout is not a terminal')

  const html = readFileSync(report, 'utf8')
  assert.match(html, /^<!doctype html>/)
  const bars = html.match(/aria-roledescription="bar"/g) ?? []
  assert.equal(bars.length, (sets.length + 1) * a.methods.length, 'one bar per resource (and all) and method')
  for (const s of sets) assert.ok(html.includes(`resource: ${s.name}`), `chart has ${s.name}`)
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|url\(\s*['"]?(?:https?:)?\/\//i, 'nothing loaded from elsewhere')
  assert.doesNotMatch(html.replace(/xmlns(?::\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, ''), /https?:\/\//, 'no address besides XML namespaces')
})
