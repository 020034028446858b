import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'

/** A raw HTTP/1.1 exchange as the peer answered it: status line, headers, body text. */
export interface RawAnswer {
  /** Everything received until the peer closed (or the idle limit). */
  readonly text: string
  /** Status codes of every response in `text`, in order (several when pipelined). */
  readonly statuses: number[]
}

/**
 * Writes `bytes` (latin1, exactly as given) to `url`'s port and collects the answer
 * until the peer closes, or until `idleMs` without data.
 */
export function rawExchange (url: string, bytes: string | Buffer, idleMs = 3000): Promise<RawAnswer> {
  return new Promise(resolve => {
    const socket = connect(Number(new URL(url).port), new URL(url).hostname, () => { socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes) })
    let text = ''
    socket.setTimeout(idleMs, () => socket.destroy())
    socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
    function done (): void {
      resolve({ text, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map(m => Number(m[1])) })
    }
    socket.on('close', done)
    socket.on('error', () => socket.destroy())
  })
}

/** What a recording server saw of one request. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/**
 * A plain HTTP server that records every request and answers with `answer` (a
 * text body by default). `lenient` parses like the laxest backends do
 * (`insecureHTTPParser`), the worst case for request smuggling.
 */
export async function recordingServer (name: string, options: { lenient?: boolean } = {}): Promise<{ url: string, server: Server, seen: SeenRequest[], close: () => Promise<void> }> {
  const seen: SeenRequest[] = []
  const server = createServer({ insecureHTTPParser: options.lenient === true }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`origin ${name}`)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    seen,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}
