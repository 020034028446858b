import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EstimateResult } from '@coilgun/estimate'
import { replayRoute, runCli, startServer, syntheticVersions, tempFile, testSets } from './support.ts'

// Issue 19: `--save FOLDER` keeps the polled versions as snapshots (one sub-folder
// per URL, in the order seen, a return to an earlier version included), and
// `--dir FOLDER` on them later gives the same figures, under the URLs' names.

test('--save keeps each new version in order, and --dir on the folder gives the figures of the polls', async () => {
  const { sets } = testSets(5)
  const v = syntheticVersions(3, 20_000, 's')
  // A, B, B, A, C: an unchanged poll is not saved; the return to A is a change and is.
  const flipping = { name: 'flipping', ext: '.html', versions: [v[0]!, v[1]!, v[1]!, v[0]!, v[2]!] }
  const all = [...sets, flipping]
  const server = await startServer(Object.fromEntries(all.map(s => [`/${s.name}`, replayRoute(s)])))
  try {
    const save = join(mkdtempSync(join(tmpdir(), 'coilgun-estimate-save-')), 'saved')
    const polled = tempFile('polled.json')
    const urls = all.map(s => `${server.base}/${s.name}?v=1`)
    const poll = await runCli(['--every', '10ms', '--polls', '5', '--save', save, '--json', polled, ...urls])
    assert.equal(poll.code, 0, poll.stderr)

    const folders = readdirSync(save).sort()
    assert.equal(folders.length, all.length)
    const flipFolder = folders.find(f => f.includes('flipping'))!
    assert.deepEqual(readdirSync(join(save, flipFolder)).sort(), ['.url', '0001.html', '0002.html', '0003.html', '0004.html'])
    assert.equal(readFileSync(join(save, flipFolder, '.url'), 'utf8').trim(), `${server.base}/flipping?v=1`)
    assert.ok(readFileSync(join(save, flipFolder, '0003.html')).equals(v[0]!), 'the return to A is saved')

    const replayed = tempFile('replayed.json')
    const dir = await runCli(['--dir', save, '--json', replayed])
    assert.equal(dir.code, 0, dir.stderr)
    const a = JSON.parse(readFileSync(polled, 'utf8')) as EstimateResult
    const b = JSON.parse(readFileSync(replayed, 'utf8')) as EstimateResult
    const byName = new Map(b.resources.map(r => [r.name, r]))
    for (const r of a.resources) {
      const d = byName.get(r.name)
      assert.ok(d !== undefined, `${r.name} replayed under its URL`)
      assert.equal(d.resourceKey, r.resourceKey)
      assert.ok(r.changes >= 1)
      assert.deepEqual(d.changeList.map(c => ({ from: c.from, to: c.to, methods: c.methods })), r.changeList.map(c => ({ from: c.from, to: c.to, methods: c.methods })))
    }
    assert.equal(a.resources.find(r => r.name.includes('flipping'))!.changes, 3)
    assert.deepEqual(b.total.methods, a.total.methods)

    // A folder that already holds files is refused before any request.
    writeFileSync(join(save, 'other'), 'x')
    const before = server.log.length
    const refused = await runCli(['--every', '10ms', '--polls', '1', '--save', save, urls[0]!])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^coilgun-estimate: COILGUN_ERR_ESTIMATE_OUTPUT: /)
    assert.equal(server.log.length, before)
  } finally {
    await server.close()
  }
})
