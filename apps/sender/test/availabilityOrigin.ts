import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { buildApp } from '../../../packages/fastify/test/app.ts'
import type { AppState } from '../../../test/support/originConformance.ts'
import type { VersionedPage } from '@coilgun/fixtures/pageVersions'

// Issue 12: the origin the availability tests attack through the sender. The test
// app with the plugin (Coilgun pages under /page/:name) plus what the attacks need:
// endless downloads, slow answers, an application's own 503, a large resource for
// HEAD, each counting what it sent.

const CHUNK = Buffer.alloc(64 * 1024, 'd')

export interface AvailabilityOrigin {
  readonly url: string
  /** Download responses open now (the upstream connections they hold). */
  readonly downloadsOpen: () => number
  /** Bytes the origin wrote on all its sockets so far (closed ones included). */
  readonly bytesWritten: () => number
  /** Requests seen per path prefix (`/app-503`, `/closing-503`, ...). */
  readonly seen: Map<string, number>
  close (): Promise<void>
}

/** A download of `mib` MiB, generated lazily with backpressure (no Content-Length). */
function download (mib: number): Readable {
  let left = mib * 16
  return new Readable({
    highWaterMark: CHUNK.length,
    read () { this.push(left-- > 0 ? CHUNK : null) }
  })
}

export async function startAvailabilityOrigin (pages: VersionedPage[], state: AppState): Promise<AvailabilityOrigin> {
  const app = await buildApp(pages, state, { plugin: true, compress: false })
  let open = 0
  let closedBytes = 0
  const sockets = new Set<Socket>()
  app.server.on('connection', function countOriginSocket (socket: Socket) {
    sockets.add(socket)
    socket.once('close', function socketGone () { closedBytes += socket.bytesWritten; sockets.delete(socket) })
  })
  function bytesWritten (): number {
    let total = closedBytes
    for (const s of sockets) total += s.bytesWritten
    return total
  }
  const seen = new Map<string, number>()
  function count (path: string): void { seen.set(path, (seen.get(path) ?? 0) + 1) }

  app.get<{ Querystring: { mib?: string } }>('/download', async function endlessDownload (request, reply) {
    open++
    reply.raw.once('close', function downloadClosed () { open-- })
    reply.header('content-type', 'application/octet-stream')
    return reply.send(download(Number(request.query.mib ?? '1024')))
  })
  app.get<{ Querystring: { ms?: string } }>('/slow', async function slowAnswer (request, reply) {
    count('/slow')
    await new Promise(resolve => setTimeout(resolve, Number(request.query.ms ?? '1000')))
    return reply.header('content-type', 'text/plain').send('slow answer\n')
  })
  app.get('/app-503', async function applicationBusy (_request, reply) {
    count('/app-503')
    return reply.code(503).header('content-type', 'text/plain').header('cache-control', 'no-store').send('the application is busy\n')
  })
  const big = Buffer.alloc(5 * 1024 * 1024, 'b')
  app.route({
    method: ['GET', 'HEAD'],
    url: '/big',
    exposeHeadRoute: false,
    handler: async function bigResource (request, reply) {
      count(`/big ${request.method}`)
      reply.header('content-type', 'application/octet-stream').header('content-length', big.length)
      // Node writes no body for HEAD whatever is sent; GET sends all 5 MiB.
      return reply.send(request.method === 'HEAD' ? undefined : big)
    }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, downloadsOpen: () => open, bytesWritten, seen, close: () => app.close() }
}
