import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { exportedMetrics } from '../../../test/support/metricNames.ts'
import { startListener, startSender } from './harness.ts'

// Issue 16: the Grafana dashboard in docs/ must only query metrics that the apps
// export (a renamed metric would leave an empty panel that nobody notices).

const dashboardPath = new URL('../../../docs/grafana/coilgun-dashboard.json', import.meta.url)
/** Metric names in a PromQL expression: Coilgun's, and the standard process/Node ones. */
const METRIC = /\b(?:coilgun|process|nodejs)_[a-zA-Z0-9_]+/g

test('every query of docs/grafana/coilgun-dashboard.json names only metrics the sender or listener exports', async t => {
  const port = await new Promise<number>(resolve => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)) }) })
  // With Redis configured (unreachable here) so that the Redis metrics are registered.
  const { listener } = await startListener({ COILGUN_ORIGIN: 'http://127.0.0.1:9', COILGUN_REDIS_URL: `redis://127.0.0.1:${port}` })
  const { sender } = await startSender('http://127.0.0.1:9')
  t.after(async () => { await sender.close(); await listener.close() })
  const exported = new Map([...await exportedMetrics(sender.metrics.registry), ...await exportedMetrics(listener.metrics.registry)])

  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { panels: Array<{ title: string, targets: Array<{ expr: string }> }> }
  let queries = 0
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      queries++
      const names = expr.match(METRIC) ?? []
      assert.ok(names.length > 0, `${panel.title}: "${expr}" names no metric`)
      for (const name of names) assert.ok(exported.has(name), `${panel.title}: ${name} is not exported`)
    }
  }
  assert.ok(queries >= 10, `${queries} queries`)
})
