import { Agent, createServer, request } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Header naming which upstream (0, 1, ...) answered, for the tests' accounting. */
export const UPSTREAM_HEADER = 'x-test-upstream'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'])

/**
 * A load balancer in front of several origin instances: each request goes to the
 * next instance in turn, whatever connection it came on (an HTTP-level round
 * robin, so a keep-alive sender still alternates). Bodies and headers pass
 * untouched; hop-by-hop headers are left to each hop.
 */
export async function startRoundRobin (upstreams: readonly string[]): Promise<{ url: string, answeredBy: number[], close: () => Promise<void> }> {
  const agent = new Agent({ keepAlive: true })
  const answeredBy: number[] = []
  let next = 0

  function forward (req: IncomingMessage, res: ServerResponse): void {
    const index = next++ % upstreams.length
    const target = new URL(upstreams[index]!)
    const headers: Record<string, string | string[] | undefined> = {}
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, function answered (up) {
      answeredBy.push(index)
      const raw: string[] = []
      for (let i = 0; i < up.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(up.rawHeaders[i]!.toLowerCase())) raw.push(up.rawHeaders[i]!, up.rawHeaders[i + 1]!)
      }
      raw.push(UPSTREAM_HEADER, String(index))
      res.writeHead(up.statusCode ?? 502, up.statusMessage, raw)
      up.pipe(res)
    })
    upstream.on('error', function upstreamFailed (err) {
      res.destroy(err)
    })
    req.pipe(upstream)
  }

  const server = createServer(forward)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    answeredBy,
    close: async function close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
      agent.destroy()
    }
  }
}
