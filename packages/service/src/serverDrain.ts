import type { IncomingMessage, Server, ServerResponse } from 'node:http'

// Graceful shutdown that is prompt and honest (issue 12, item 7). Node's
// `server.close()` closes the connections that are idle at that instant and then
// waits for every other one; a keep-alive connection that finishes its response a
// moment later stays open until `keepAliveTimeout` (72 s in Fastify), so the process
// always waited its full grace period. While draining, every response says
// `Connection: close` (RFC 9112 section 9.6) and each connection is closed as soon
// as its response is complete.

const DRAIN = Symbol('coilgun.serverDrain')

/**
 * Tracks the responses in flight on one HTTP server and, once `begin()` is called,
 * makes each of them the last on its connection. Built once per server, before it
 * listens; `inFlight` is what a grace period would cut.
 */
export class ServerDrain {
  readonly #server: Server
  readonly #inFlight = new Set<ServerResponse>()
  /** HTTP/2 sessions (an HTTPS server with ALPN h2): told GOAWAY when draining. */
  readonly #sessions = new Set<{ close (): void, once (event: 'close', fn: () => void): unknown }>()
  #draining = false

  constructor (server: Server) {
    this.#server = server
    ;(server as Server & { [DRAIN]?: ServerDrain })[DRAIN] = this
    server.on('request', trackResponse)
    // RFC 9113 section 6.8: GOAWAY lets the streams under way finish and opens no new
    // ones, which is what Connection: close does for HTTP/1.1.
    server.on('session', (session: { close (): void, once (event: 'close', fn: () => void): unknown }) => {
      if (this.#draining) { session.close(); return }
      this.#sessions.add(session)
      session.once('close', () => this.#sessions.delete(session))
    })
  }

  /** True once `begin()` was called. */
  get draining (): boolean {
    return this.#draining
  }

  /** Responses started and not yet finished or aborted. */
  get inFlight (): number {
    return this.#inFlight.size
  }

  /**
   * Stops keep-alive: responses not yet started say `Connection: close`; idle
   * connections close now, busy ones when their response is complete.
   */
  begin (): void {
    if (this.#draining) return
    this.#draining = true
    for (const res of this.#inFlight) lastOnConnection(res)
    for (const session of this.#sessions) session.close()
    closeIdle(this.#server)
  }

  /** @internal */
  track (res: ServerResponse): void {
    this.#inFlight.add(res)
    ;(res as ServerResponse & { [DRAIN]?: ServerDrain })[DRAIN] = this
    res.once('close', untrackResponse)
    if (this.#draining) lastOnConnection(res)
  }

  /** @internal */
  untrack (res: ServerResponse): void {
    this.#inFlight.delete(res)
    // The connection of a response whose headers already said keep-alive is now
    // idle: close it rather than wait for keepAliveTimeout.
    if (this.#draining) setImmediate(closeIdle, this.#server)
  }
}

function drainOf (server: unknown): ServerDrain | undefined {
  return (server as { [DRAIN]?: ServerDrain })[DRAIN]
}

function trackResponse (this: Server, _req: IncomingMessage, res: ServerResponse): void {
  drainOf(this)?.track(res)
}

function untrackResponse (this: ServerResponse): void {
  drainOf(this)?.untrack(this)
}

function lastOnConnection (res: ServerResponse): void {
  // Before the head is written, Node then sends `Connection: close` and ends the
  // connection after this response (_http_outgoing: shouldKeepAlive false).
  if (!res.headersSent) res.shouldKeepAlive = false
}

function closeIdle (server: Server): void {
  // An HTTP/2 server (Http2SecureServer) has no such method: its sessions got GOAWAY.
  if (typeof server.closeIdleConnections === 'function') server.closeIdleConnections()
}
