import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import httpProxy from '@fastify/http-proxy'
import { serveBenchControl } from '../serverControl.ts'

// The peer of coilgun-sender in the throughput benchmark: a plain
// @fastify/http-proxy in front of the origin, with as many upstream connections as
// the bench gives the sender. Started by the bench.

const { values } = parseArgs({ options: { upstream: { type: 'string' }, connections: { type: 'string' } } })
if (values.upstream === undefined || values.connections === undefined) throw new Error('--upstream URL and --connections N are required')

const app = Fastify({ logger: false })
await app.register(httpProxy, { upstream: values.upstream, undici: { connections: Number(values.connections), pipelining: 1 } })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
serveBenchControl(app.server, typeof address === 'object' && address !== null ? address.port : 0)
