import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import compress from '@fastify/compress'
import coilgun from '@coilgun/fastify'
import { SECRET } from '../../../test/support/originConformance.ts'

// The application of the encode-budget test (issue 12, item 3), in its own process so
// that its CPU time is its own: the Coilgun plugin with its defaults, and
// @fastify/compress with its defaults (brotli quality 4) for visitors that come
// directly. Two routes:
//   /big    a 4 MB page rewritten completely on every request
//   /small  a 64 KB page with one line changed on every request
// It announces { type: 'ready', port } and answers { type: 'cpu' } with its
// process.cpuUsage() (all threads: the encoder workers count). Never run by hand.

export type RewrittenPageReport = { type: 'ready', port: number } | { type: 'cpu', micros: number }

/** `size` bytes of list markup that share nothing with another seed's. */
function listPage (seed: string, size: number): string {
  const lines: string[] = []
  let length = 0
  for (let n = 0; length < size; n++) {
    const line = `<li data-id="${n}"><a href="/item/${n}">${createHash('sha256').update(`${seed}:${n}`).digest('hex')}</a> item ${n}</li>`
    lines.push(line)
    length += line.length + 1
  }
  return lines.join('\n')
}

// Unrelated 4 MB bodies, rotated and stamped, so that each version is new and
// shares nothing with the one before (generating them per request would cost more
// CPU than the answer and flatter the ratio).
const BIG = Array.from({ length: 5 }, (_, i) => listPage(`big-${i}`, 4_000_000))
const SMALL = listPage('small', 64 * 1024)
let bigServed = 0
let smallServed = 0

const app = Fastify({ logger: false })
await app.register(coilgun, { secret: SECRET })
await app.register(compress)
app.get('/big', async function big (_request, reply) {
  const n = bigServed++
  reply.header('content-type', 'text/html; charset=utf-8')
  return reply.send(`<!-- version ${n} -->\n${BIG[n % BIG.length]!}`)
})
app.get('/small', async function small (_request, reply) {
  reply.header('content-type', 'text/html; charset=utf-8')
  return reply.send(`<!-- version ${smallServed++} -->\n${SMALL}`)
})

process.on('message', function onCpu () {
  const { user, system } = process.cpuUsage()
  process.send?.({ type: 'cpu', micros: user + system } satisfies RewrittenPageReport)
})
process.once('disconnect', function parentGone () { void app.close().finally(() => process.exit(0)) })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 } satisfies RewrittenPageReport)
