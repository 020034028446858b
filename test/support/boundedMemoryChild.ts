import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { buildChurnApp } from './churnPages.ts'
import { SECRET } from './originConformance.ts'

// One Coilgun component in its own process, so that its RSS is its own (issue 12):
//   --role sender   --upstream URL   coilgun-sender in front of URL
//   --role listener --upstream URL   coilgun-listener in front of URL
//   --role plugin                    a Fastify app with the plugin serving churn pages
// Byte bounds come as --bound name=bytes. It announces { type: 'ready', port } and
// answers { type: 'memory' } with { type: 'memory', rss, external, heapUsed }, measured
// after a full garbage collection (the child runs with --expose-gc) so that the figure
// is what the process retains, not what it has yet to collect. Never run by hand.

export type BoundedMemoryReport = { type: 'ready', port: number } | { type: 'memory', rss: number, lazyFree: number, anonHuge: number, external: number, heapUsed: number, heapTotal: number }

/** /proc/self/smaps_rollup, or '' where the system has none (its fields then read 0). */
function smapsRollup (): string {
  try {
    return readFileSync('/proc/self/smaps_rollup', 'utf8')
  } catch {
    return ''
  }
}

/** A field of /proc/self/smaps_rollup in bytes (0 where the file or the field is missing). */
function rollup (text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
  return match === null ? 0 : Number(match[1]) * 1024
}

const { values } = parseArgs({ options: { role: { type: 'string' }, upstream: { type: 'string', default: '' }, bound: { type: 'string', multiple: true, default: [] } } })
const bounds = new Map(values.bound.map(b => { const [name, bytes] = b.split('='); return [name!, bytes!] }))
const silent = { COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'silent' }

let port: number
let close: () => Promise<void>
if (values.role === 'sender') {
  const { buildSender, loadSenderConfig } = await import('../../apps/sender/dist/index.js')
  const sender = await buildSender(loadSenderConfig({ ...silent, COILGUN_UPSTREAM: values.upstream, COILGUN_CACHE_MAX_BYTES: bounds.get('cache') ?? '' }))
  port = Number(new URL(await sender.listen()).port)
  close = () => sender.close()
} else if (values.role === 'listener') {
  const { buildListener, loadListenerConfig } = await import('../../apps/listener/dist/index.js')
  const listener = await buildListener(loadListenerConfig({ ...silent, COILGUN_ORIGIN: values.upstream, COILGUN_STORE_MAX_BYTES: bounds.get('store') ?? '' }))
  port = Number(new URL(await listener.listen()).port)
  close = () => listener.close()
} else if (values.role === 'plugin') {
  const app = await buildChurnApp({ storeMaxBytes: Number(bounds.get('store')), fullCacheBytes: Number(bounds.get('full')), deltaMemoBytes: Number(bounds.get('memo')) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  port = typeof address === 'object' && address !== null ? address.port : 0
  close = () => app.close()
} else {
  throw new Error(`unknown role ${String(values.role)}`)
}

/**
 * Collects until the heap stops shrinking (at most five rounds, 50 ms apart). A plain
 * gc() is a full collection but leaves what V8 keeps for later: freed pages in its
 * pool and a grown new space (the listener's RSS after it varied by up to 100 MiB
 * between runs, all in V8's 256 KiB pages). The "last-resort" flavour also
 * releases those (V8 12 and later: Node 22 on; Node 20's V8 runs a minor collection
 * for it, which does no harm after the full one).
 */
async function settle (): Promise<void> {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc
  if (gc === undefined) return
  let last = Infinity
  for (let i = 0; i < 5; i++) {
    gc()
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    await sleep(50)
    const committed = process.memoryUsage().heapTotal
    if (committed >= last) break
    last = committed
  }
}

process.on('message', async function onMeasure () {
  await settle()
  const m = process.memoryUsage()
  const smaps = smapsRollup()
  process.send?.({ type: 'memory', rss: m.rss, lazyFree: rollup(smaps, 'LazyFree'), anonHuge: rollup(smaps, 'AnonHugePages'), external: m.external, heapUsed: m.heapUsed, heapTotal: m.heapTotal } satisfies BoundedMemoryReport)
})
process.once('disconnect', function parentGone () { void close().finally(() => process.exit(0)) })
process.send?.({ type: 'ready', port } satisfies BoundedMemoryReport)
