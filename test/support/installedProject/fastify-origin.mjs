// A Fastify app with @coilgun/fastify, as the package README shows it.
import Fastify from 'fastify'
import coilgun from '@coilgun/fastify'
import { announce, page } from './page.mjs'

const app = Fastify()
await app.register(coilgun, { secret: process.env.COILGUN_SECRET })
let version = 0
app.get('/', async function frontPage (_request, reply) {
  return reply.type('text/html; charset=utf-8').send(page(++version))
})
announce(await app.listen({ host: '127.0.0.1', port: 0 }))
process.once('SIGTERM', function stop () { app.close().then(() => process.exit(0)) })
