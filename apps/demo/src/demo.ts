import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import type { Sender } from '@coilgun/sender'
import { request } from 'undici'
import { corpusPage, generatedPage } from './changingPage.ts'

// `npm start`: an origin app with @coilgun/fastify and a coilgun-sender in front of
// it, on loopback. The page changes every few seconds; a built-in visitor (and you,
// in a browser) request it through the sender, and the demo prints how many bytes
// crossed the origin link compared with the bytes of the pages served.

const SECRET = 'coilgun-demo-secret-not-for-production'
const CHANGE_EVERY_MS = Number(process.env.COILGUN_DEMO_CHANGE_MS ?? 4000)
const VISIT_EVERY_MS = Number(process.env.COILGUN_DEMO_VISIT_MS ?? 1000)
const DURATION_MS = Number(process.env.COILGUN_DEMO_DURATION_MS ?? 0)
const corpusDir = process.env.COILGUN_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'corpus')

const page = corpusPage(corpusDir) ?? generatedPage()

const origin = Fastify({ logger: false })
await origin.register(coilgun, { secret: SECRET })
let originBytes = 0
origin.addHook('onSend', async function countOriginBytes (_request, _reply, payload) {
  if (Buffer.isBuffer(payload)) originBytes += payload.length
  return payload
})
origin.get('/', async function frontPage (_request, reply) {
  return reply.type(page.contentType).header('cache-control', 'no-cache').send(page.current())
})
const originUrl = await origin.listen({ host: '127.0.0.1', port: Number(process.env.COILGUN_DEMO_ORIGIN_PORT ?? 0) })

/** The sender on the preferred ports, or on free ones when those are taken. */
async function startSender (listen: string, admin: string): Promise<{ sender: Sender, url: string }> {
  const sender = await buildSender(loadSenderConfig({ COILGUN_UPSTREAM: originUrl, COILGUN_SECRET: SECRET, COILGUN_LISTEN: listen, COILGUN_ADMIN_LISTEN: admin, COILGUN_LOG_LEVEL: 'warn' }), { logger: { level: 'warn' } })
  try {
    return { sender, url: await sender.listen() }
  } catch (err) {
    await sender.close()
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || listen.endsWith(':0')) throw err
    return startSender('127.0.0.1:0', 'off')
  }
}
const { sender, url: senderUrl } = await startSender(process.env.COILGUN_LISTEN ?? '127.0.0.1:8080', process.env.COILGUN_ADMIN_LISTEN ?? '127.0.0.1:9090')

console.log(`Coilgun demo
  page:    ${page.source}, changing every ${CHANGE_EVERY_MS / 1000}s
  origin:  ${originUrl} (Fastify + @coilgun/fastify)
  sender:  ${senderUrl}  <- open this in a browser (or curl -si ${senderUrl}/)
  metrics: http://127.0.0.1:9090/metrics (when the port was free)
Ctrl-C to stop.
`)

let pageBytes = 0
let visits = 0
let lastDiagnostic = ''
async function visit (): Promise<void> {
  const res = await request(`${senderUrl}/`, { headers: { 'accept-encoding': 'identity' } })
  const body = Buffer.from(await res.body.arrayBuffer())
  visits++
  pageBytes += body.length
  lastDiagnostic = String(res.headers.coilgun ?? '')
}

const changer = setInterval(() => page.advance(), CHANGE_EVERY_MS)
const visitor = setInterval(() => { visit().catch(err => console.error('visit failed:', (err as Error).message)) }, VISIT_EVERY_MS)
const reporter = setInterval(() => {
  const ratio = pageBytes === 0 ? 0 : 100 * originBytes / pageBytes
  console.log(`${visits} visits: ${fmt(pageBytes)} of pages served, ${fmt(originBytes)} crossed the origin link (${ratio.toFixed(2)}%). last answer: Coilgun: ${lastDiagnostic}`)
}, Math.max(2000, VISIT_EVERY_MS * 2))

function fmt (bytes: number): string {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`
}

async function stop (): Promise<void> {
  clearInterval(changer)
  clearInterval(visitor)
  clearInterval(reporter)
  await sender.close()
  await origin.close()
  console.log(`stopped after ${visits} visits: ${fmt(pageBytes)} served, ${fmt(originBytes)} over the origin link`)
  process.exit(0)
}
process.once('SIGINT', () => { void stop() })
process.once('SIGTERM', () => { void stop() })
if (DURATION_MS > 0) setTimeout(() => { void stop() }, DURATION_MS)
