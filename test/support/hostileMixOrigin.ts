import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import { buildApp } from '../../packages/fastify/test/app.ts'
import type { AppState } from './originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// The origin of the hostile mix (issue 12; hostileMix.ts drives it): the test app
// with @coilgun/fastify in its own process, pages moving to their next version every
// --change-ms, plus what the attackers ask for: an endless download
// (/download?mib=N) and a large page that changes completely on every request
// (/changing, --changing-bytes, its SHA-256 in X-Body-Sha256 so visitors can check it). Announces
// { type: 'ready', port } over IPC; exits when its parent goes away.

const { values } = parseArgs({ options: { versions: { type: 'string', default: '12' }, 'change-ms': { type: 'string', default: '300' }, 'changing-bytes': { type: 'string', default: String(256 * 1024) } } })
const pages = versionedPages(Number(values.versions))
const state: AppState = { current: new Map() }
const app = await buildApp(pages, state, { plugin: true, compress: false })
const CHUNK = Buffer.alloc(64 * 1024, 'd')
const changingBytes = Number(values['changing-bytes'])

let downloadsOpen = 0
app.get<{ Querystring: { mib?: string } }>('/download', async function endlessDownload (request, reply) {
  downloadsOpen++
  reply.raw.once('close', function downloadClosed () { downloadsOpen-- })
  let left = Number(request.query.mib ?? '1024') * 16
  reply.header('content-type', 'application/octet-stream')
  return reply.send(new Readable({ highWaterMark: CHUNK.length, read () { this.push(left-- > 0 ? CHUNK : null) } }))
})

app.get('/changing', async function fullyChangingPage (_request, reply) {
  // Printable, so it is an eligible HTML page; random, so no delta ever helps.
  const body = Buffer.from(randomBytes(changingBytes * 3 / 4).toString('base64'))
  reply.header('content-type', 'text/html; charset=utf-8').header('x-body-sha256', createHash('sha256').update(body).digest('hex'))
  return reply.send(body)
})

let step = 0
setInterval(function nextVersions () {
  step++
  pages.forEach((p, i) => { if (step % (i + 1) === 0) state.current.set(p.name, ((state.current.get(p.name) ?? 0) + 1) % p.versions.length) })
}, Number(values['change-ms']))

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 })
// { type: 'stats' } -> { type: 'stats', downloadsOpen }: downloads the sender still holds.
process.on('message', function onControl (message: { type: string }) {
  if (message.type === 'stats') process.send?.({ type: 'stats', downloadsOpen })
})
process.once('disconnect', function parentGone () { process.exit(0) })
