import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { assertNothingListens, demoDir, demoEnv, startDemo } from './demoProcess.ts'

// Issue 15: when 8080 was taken the demo moved to a free port, turned its metrics
// listener off and still printed http://127.0.0.1:9090/metrics. It must print the
// URLs that actually listen.

test('with its ports taken, the demo moves to free ones and prints the sender and metrics URLs that answer', async t => {
  const taken = createServer()
  await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
  t.after(() => { taken.close() })
  const port = (taken.address() as AddressInfo).port

  const demo = await startDemo(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
    cwd: demoDir,
    env: demoEnv({ COILGUN_LISTEN: `127.0.0.1:${port}`, COILGUN_ADMIN_LISTEN: `127.0.0.1:${port}` })
  })
  try {
    assert.notEqual(new URL(demo.sender).port, String(port))
    assert.match(demo.stdout(), /was taken: the sender listens on free ports instead/)
    const page = await request(`${demo.sender}/`)
    assert.equal(page.statusCode, 200)
    assert.match(String(page.headers.coilgun), /^(full|delta|not-modified);/)
    await page.body.dump()
    assert.ok(demo.metrics, demo.stdout())
    const metrics = await request(demo.metrics)
    assert.equal(metrics.statusCode, 200)
    assert.match(await metrics.body.text(), /coilgun_requests_total/)
  } finally {
    demo.child.kill('SIGTERM')
  }
  assert.deepEqual(await demo.exited, { code: 0, signal: null })
  await assertNothingListens(demo.sender)
})
