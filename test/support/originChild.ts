import { PassThrough } from 'node:stream'
import { parseArgs } from 'node:util'
import { buildApp } from '../../packages/fastify/test/app.ts'
import type { AppState } from './originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// An origin in its own process, so a test can SIGKILL it in the middle of a response
// (issue 8). The app of packages/fastify/test/app.ts, with or without the Coilgun
// plugin; controlled by its parent over IPC:
//   { type: 'set', name, index }  serve version `index` of page `name` from now on
//   { type: 'stall' }             the next page response writes half its body, then
//                                 reports { type: 'stalled' } and never finishes
// and announces { type: 'ready', port } once listening. Never run by hand.

export type OriginChildMessage = { type: 'set', name: string, index: number } | { type: 'stall' }
export type OriginChildReport = { type: 'ready', port: number } | { type: 'stalled', written: number } | { type: 'applied' }

const { values } = parseArgs({ options: { plugin: { type: 'boolean', default: false }, port: { type: 'string', default: '0' }, versions: { type: 'string', default: '6' } } })
const pages = versionedPages(Number(values.versions))
const state: AppState = { current: new Map() }
const app = await buildApp(pages, state, { plugin: values.plugin, compress: false })
let stallNext = false

app.addHook('onSend', async function stallMidBody (request, reply, payload) {
  if (!stallNext || !request.url.startsWith('/page/') || !Buffer.isBuffer(payload)) return payload
  stallNext = false
  const half = payload.subarray(0, payload.length >> 1)
  // The framing announces the whole body; only half of it ever comes.
  reply.header('content-length', payload.length)
  const body = new PassThrough()
  body.write(half)
  const socket = request.raw.socket
  const started = socket.bytesWritten
  const poll = setInterval(function reportOnceWritten () {
    if (socket.bytesWritten - started < half.length) return
    clearInterval(poll)
    process.send?.({ type: 'stalled', written: half.length } satisfies OriginChildReport)
  }, 2)
  return body
})

process.on('message', function onControl (message: OriginChildMessage) {
  if (message.type === 'set') state.current.set(message.name, message.index)
  else stallNext = true
  process.send?.({ type: 'applied' } satisfies OriginChildReport)
})
process.once('disconnect', function parentGone () { process.exit(0) })

await app.listen({ host: '127.0.0.1', port: Number(values.port) })
const address = app.server.address()
process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 } satisfies OriginChildReport)
