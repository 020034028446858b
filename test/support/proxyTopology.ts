import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import type { TestContext } from 'node:test'
import { WebSocketServer } from 'ws'
import { startListener } from '../../apps/listener/test/harness.ts'
import { startSender } from '../../apps/sender/test/harness.ts'

// Issue 13: two origins that record what they receive (plain requests and upgrade
// handshakes), and the two ways Coilgun sits in front of them: the sender alone,
// and the sender in front of a listener whose host map sends `a.example` to origin A
// and every other host to origin D. Tests assert what the origins saw.

/** What an origin saw of one request or upgrade handshake. */
export interface OriginSaw {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** Header names exactly as they arrived, in order. */
  readonly rawNames: readonly string[]
  readonly body: Buffer
  readonly upgrade: boolean
}

export interface RecordingOrigin {
  readonly name: string
  readonly url: string
  readonly seen: OriginSaw[]
  readonly server: Server
  close (): Promise<void>
}

/**
 * An origin answering `origin <name> <method> <url>` to any request and accepting
 * WebSockets (echoing `<name>: <message>`), except on `/refuse`, where the upgrade is
 * declined with a 403, and on `/slow-upgrade`, answered after 300 ms.
 */
export async function recordingOrigin (name: string): Promise<RecordingOrigin> {
  const seen: OriginSaw[] = []
  const wss = new WebSocketServer({ noServer: true })
  wss.on('connection', ws => {
    ws.on('message', (data: Buffer) => ws.send(`${name}: ${data.toString()}`))
  })
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawNames: names(req.rawHeaders), body: Buffer.concat(chunks), upgrade: false })
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`origin ${name} ${req.method ?? ''} ${req.url ?? ''}`)
    })
  })
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawNames: names(req.rawHeaders), body: Buffer.alloc(0), upgrade: true })
    if (req.url === '/refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\nno socket here')
      return
    }
    const accept = (): void => wss.handleUpgrade(req, socket, head, ws => wss.emit('connection', ws, req))
    if (req.url === '/slow-upgrade') setTimeout(accept, 300)
    else accept()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    server,
    close: () => new Promise<void>(resolve => {
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

function names (raw: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) out.push(raw[i]!)
  return out
}

export interface Topology {
  /** `sender` (alone, in front of origin A) or `sender+listener` (host map a.example=A, default=D). */
  readonly name: 'sender' | 'sender+listener'
  /** The URL visitors use. */
  readonly url: string
  /** The origin that must see requests for `a.example`. */
  readonly a: RecordingOrigin
  /** The listener's default origin (never used by the sender alone). */
  readonly d: RecordingOrigin
}

/**
 * Both topologies over fresh origins. `senderEnv` and `listenerEnv` are added to the
 * sender's and the listener's environment.
 */
export async function startTopologies (t: TestContext, senderEnv: Record<string, string> = {}, listenerEnv: Record<string, string> = {}): Promise<Topology[]> {
  const a1 = await recordingOrigin('a')
  const d1 = await recordingOrigin('d')
  const alone = await startSender(a1.url, senderEnv)
  const a2 = await recordingOrigin('a')
  const d2 = await recordingOrigin('d')
  const listener = await startListener({ COILGUN_ORIGINS: `a.example=${a2.url},default=${d2.url}`, ...listenerEnv })
  const front = await startSender(listener.url, senderEnv)
  t.after(async () => {
    await Promise.all([alone.sender.close(), front.sender.close(), listener.listener.close()])
    await Promise.all([a1, d1, a2, d2].map(o => o.close()))
  })
  return [
    { name: 'sender', url: alone.url, a: a1, d: d1 },
    { name: 'sender+listener', url: front.url, a: a2, d: d2 }
  ]
}

/** The response head of a raw exchange: status and lower-cased headers. */
export interface RawHead {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Parses the first response out of raw text (a `100 Continue` before it is skipped). */
export function parseFirstResponse (text: string): RawHead {
  let rest = text
  while (/^HTTP\/1\.1 1\d\d /.test(rest) && !rest.startsWith('HTTP/1.1 101')) rest = rest.slice(rest.indexOf('\r\n\r\n') + 4)
  const end = rest.indexOf('\r\n\r\n')
  const lines = rest.slice(0, end === -1 ? undefined : end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const raw = end === -1 ? '' : rest.slice(end + 4)
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0), headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(raw) : raw }
}

function dechunk (raw: string): string {
  let out = ''
  let at = 0
  for (;;) {
    const eol = raw.indexOf('\r\n', at)
    if (eol === -1) return out
    const size = parseInt(raw.slice(at, eol), 16)
    if (!(size > 0)) return out
    out += raw.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}

/**
 * Sends `head` (a request head ending in a blank line), waits for an interim
 * `100 Continue` when `waitForContinue`, then sends `body`; resolves with all the
 * peer sent until it closed (or 3 s of silence) and whether a 100 came first.
 */
export function exchangeWithContinue (url: string, head: string, body: Buffer, waitForContinue: boolean): Promise<{ text: string, sawContinue: boolean }> {
  return new Promise(resolve => {
    const socket = connect(Number(new URL(url).port), new URL(url).hostname, () => {
      socket.write(head)
      if (!waitForContinue) socket.write(body)
    })
    let text = ''
    let sentBody = !waitForContinue
    let sawContinue = false
    socket.setTimeout(3000, () => socket.destroy())
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (!sentBody && text.startsWith('HTTP/1.1 100 ')) {
        sawContinue = true
        sentBody = true
        socket.write(body)
      }
    })
    socket.on('close', () => resolve({ text, sawContinue }))
    socket.on('error', () => socket.destroy())
  })
}
