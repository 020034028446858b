import { buildSender, loadSenderConfig } from '@coilgun/sender'
import { serveBenchControl } from '../serverControl.ts'

// coilgun-sender for the load benchmarks, configured as in production: from the
// environment the bench sets (COILGUN_UPSTREAM, COILGUN_SECRET, COILGUN_LISTEN on
// a free loopback port, no admin listener, silent logs). Started by the bench.

const sender = await buildSender(loadSenderConfig(process.env), { logger: false })
const url = new URL(await sender.listen())

/** A prom-client counter's values, summed over all label sets or one outcome. */
function total (metric: { values: ReadonlyArray<{ value: number, labels: { outcome?: string | number } }> }, label?: string): number {
  return metric.values.filter(v => label === undefined || v.labels.outcome === label).reduce((sum, v) => sum + v.value, 0)
}

serveBenchControl(sender.app.server, Number(url.port), async function senderCounters () {
  const upstream = await sender.metrics.upstreamBytes.get()
  const requests = await sender.metrics.requests.get()
  return {
    upstreamBodyBytes: total(upstream),
    delta: total(requests, 'delta'),
    notModified: total(requests, 'not-modified'),
    full: total(requests, 'full'),
    fallback: total(requests, 'fallback'),
    passthrough: total(requests, 'passthrough'),
    error: total(requests, 'error')
  }
})
