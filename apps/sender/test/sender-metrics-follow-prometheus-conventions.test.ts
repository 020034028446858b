import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startSender } from './harness.ts'

// Issue 16: process metrics carried a doubled prefix (coilgun_process_process_cpu_seconds_total),
// labelled counters appeared only after their first event, and there was no build
// info and no status label. Checked on the text a Prometheus server scrapes.

test('standard process and Node metric names, _total counters present at 0, build info', async t => {
  const { sender } = await startSender('http://127.0.0.1:9')
  t.after(() => sender.close())
  const text = await sender.metrics.registry.metrics()
  assert.match(text, /^process_cpu_seconds_total \d/m)
  assert.match(text, /^process_resident_memory_bytes \d/m)
  assert.match(text, /^nodejs_heap_size_used_bytes \d/m)
  assert.doesNotMatch(text, /coilgun_process_|coilgun_nodejs_/)

  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'counter') assert.match(name!, /_total$/, `counter ${name} ends in _total`)
    if (name!.startsWith('coilgun_') && type !== 'counter') assert.doesNotMatch(name!, /_total$/, `${type} ${name} does not end in _total`)
  }
  // Every label set of every counter before the first request.
  for (const outcome of ['delta', 'full', 'not-modified', 'fallback', 'passthrough', 'error', 'rejected']) {
    for (const cls of ['1xx', '2xx', '3xx', '4xx', '5xx']) assert.ok(text.includes(`coilgun_requests_total{outcome="${outcome}",status_class="${cls}"} 0`), `${outcome} ${cls}`)
  }
  for (const kind of ['timeout', 'connect-timeout', 'unreachable', 'bad-answer']) assert.ok(text.includes(`coilgun_upstream_errors_total{kind="${kind}"} 0`), kind)
  assert.match(text, /^coilgun_verification_failures_total\{reason="COILGUN_ERR_DELTA_CORRUPT"\} 0$/m)

  const info = /^coilgun_build_info\{version="([^"]+)",node="([^"]+)",codecs="([^"]*)"\} 1$/m.exec(text)
  assert.ok(info, 'coilgun_build_info{version,node,codecs} 1')
  assert.match(info[1]!, /^\d+\.\d+\.\d+/)
  assert.equal(info[2], process.version)
  assert.ok(info[3]!.split(',').includes('vcdiff'))
})
