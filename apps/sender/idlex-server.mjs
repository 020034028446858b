// experiment: a plain @fastify/http-proxy in front of a node:http origin (one process)
import http from 'node:http'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'
const page = Buffer.from('<p>' + 'x'.repeat(1000).split('').map((_, i) => String(i % 97)).join(',') + '</p>')
const origin = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }); res.end(gzipSync(page)) })
await new Promise(r => origin.listen(0, '127.0.0.1', r))
const app = Fastify()
await app.register(proxy, { upstream: `http://127.0.0.1:${origin.address().port}` })
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' })
console.log('ready')
