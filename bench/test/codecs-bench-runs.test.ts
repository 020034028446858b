import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CodecRunRecord } from '../codecsRecord.ts'
import { assertSyntheticRun, NO_CORPUS, readRun, runQuick, tempFile } from './benchChild.ts'

// `npm run bench:codecs` runs this bench: a quick run in its own process must finish, print
// the tables and leave raw results whose figures make sense.

test('the codec bench runs in --quick mode, prints the tables and writes sane JSON', { timeout: 90_000 }, (t) => {
  const out = tempFile(t, 'codecs.json')
  const r = runQuick('codecs.ts', ['--out', out], 60_000)
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stdout, /^\| vcdiff +\|/m, 'a table row for vcdiff')
  assert.match(r.stdout, /^\| gzip -9 +\|/m, 'a table row for the gzip -9 peer')

  const run = readRun<CodecRunRecord>(out)
  assert.ok(run !== undefined, 'the run is stored under this Node major version')
  assert.equal(run.quick, true)
  assert.ok(run.sets.length > 0)
  for (const set of run.sets) {
    assert.ok(set.pairs > 0 && set.pairs <= 6, `${set.name}: --quick keeps the first 6 pairs`)
    const names = set.contenders.map(c => c.name)
    for (const name of ['vcdiff', 'vcdiff+gzip', 'gzip -9', 'brotli 11']) assert.ok(names.includes(name), `${set.name} has ${name}`)
    for (const c of set.contenders) {
      if (c.unavailable !== undefined) continue
      const where = `${set.name} / ${c.name}`
      assert.equal(c.pairs, set.pairs, where)
      assert.ok(c.totalPercent > 0 && c.totalPercent < 100, `${where}: total ${c.totalPercent}%`)
      assert.ok(c.medianPairPercent > 0 && c.medianPairPercent < 100, `${where}: median ${c.medianPairPercent}%`)
      assert.ok(c.encodeMsPerMB > 0 && Number.isFinite(c.encodeMsPerMB), `${where}: encode ${c.encodeMsPerMB} ms/MB`)
      assert.ok(c.decodeMsPerMB > 0 && Number.isFinite(c.decodeMsPerMB), `${where}: decode ${c.decodeMsPerMB} ms/MB`)
    }
    // A delta against the previous version must beat compressing the page alone;
    // if it did not, the bench would be measuring something else.
    const byName = new Map(set.contenders.map(c => [c.name, c]))
    assert.ok(byName.get('vcdiff')!.deltaBytes < byName.get('gzip -9')!.deltaBytes, `${set.name}: vcdiff beats gzip -9`)
    // Issue 17: the derived row is what a sender receives, the smallest per pair.
    const sent = byName.get('sent (smallest)')
    assert.ok(sent !== undefined, `${set.name} has the sent (smallest) row`)
    for (const name of ['vcdiff+gzip', 'dcz', 'dcb']) {
      const c = byName.get(name)
      if (c === undefined || c.unavailable !== undefined) continue
      assert.ok(sent.deltaBytes <= c.deltaBytes, `${set.name}: sent ${sent.deltaBytes} B, ${name} ${c.deltaBytes} B`)
    }
  }
})

test('without a corpus the bench measures synthetic versions and says so', { timeout: 90_000 }, () => {
  assertSyntheticRun(runQuick('codecs.ts', ['--corpus', NO_CORPUS], 60_000), /^\| vcdiff +\|/m)
})
