import { connect, isIP } from 'node:net'
import type { Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'

// Active health checks of the servers an app forwards to (the sender's upstreams,
// the listener's origins), for `/readyz` and the `*_healthy` gauges (issue 16). In
// the manner of Envoy's active health checking: every target is probed on a fixed
// interval; it turns unhealthy after `unhealthyThreshold` consecutive failed probes
// and healthy again after `healthyThreshold` consecutive good ones, so one lost
// packet does not flap readiness. A probe is a TCP connect (a TLS handshake, with
// the same CA and client certificate as real requests, for https:), which is what
// fails when an origin is down, refuses connections or presents a wrong certificate.
// A healthy target that answered a real request within the last interval is probed
// less often (`answered`): the answer shows it is up and speaks HTTP on the warm
// connection, though not that a new connection would succeed (a listener that stopped
// accepting, a certificate that expired), so a real probe still runs at least every
// MAX_SKIPPED_PROBES intervals. A busy link carries a probe a minute instead of one
// every 5 s; a quiet one, one every interval.
//
// Real requests report failures too (`failed`, passive health checking): an app that
// rotates over several targets takes one out at its first connect failure, and the
// check probes it every `unhealthyIntervalMs` (Envoy's unhealthy_interval) until it
// answers again. The sender used to keep a second, private probe loop for this
// (issue 14: one health mechanism per app).

/** Time between two probes of a target. */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5_000
/** How long a good https: probe waits for the server's TLS 1.3 session ticket before it closes. */
const SESSION_TICKET_WAIT_MS = 500
/** While real requests are answered, at most this many probes in a row are skipped. */
export const MAX_SKIPPED_PROBES = 11
/** Consecutive failed probes that turn a healthy target unhealthy. */
export const DEFAULT_HEALTH_CHECK_UNHEALTHY_THRESHOLD = 2
/** Consecutive good probes that turn an unhealthy target healthy. */
export const DEFAULT_HEALTH_CHECK_HEALTHY_THRESHOLD = 1

export interface HealthCheckOptions {
  /** @default 5000 */
  readonly intervalMs: number
  /** A probe that has not connected by then failed. */
  readonly timeoutMs: number
  /**
   * Time between two probes of an unhealthy target (Envoy's unhealthy_interval): a
   * target taken out of rotation comes back this soon after it answers again.
   * @default intervalMs
   */
  readonly unhealthyIntervalMs?: number
  /** @default 2 */
  readonly unhealthyThreshold: number
  /** @default 1 */
  readonly healthyThreshold: number
  /** TLS material for https: targets (the same as real requests use). */
  readonly tls?: { ca?: string | undefined, cert?: string | undefined, key?: string | undefined }
  /** Called when a target changes state (not for the first result). */
  readonly onChange?: (index: number, healthy: boolean, reason: string | undefined, url: string) => void
}

export interface TargetHealth {
  readonly url: string
  /** undefined until the first probe completed. */
  readonly healthy: boolean | undefined
  /** Why the last probe failed (an error code), while unhealthy. */
  readonly reason: string | undefined
}

interface TargetState {
  url: URL
  healthy: boolean | undefined
  reason: string | undefined
  failures: number
  successes: number
  probing: Socket | undefined
  /** The TLS session of the last good https: probe, resumed by the next (no certificate on the link again). */
  session: Buffer | undefined
  /** When a real request last got an answer from it (performance.now()). */
  answeredAt: number
  /** Probes skipped in a row since the last real one. */
  skipped: number
}

function newTarget (url: string): TargetState {
  return { url: new URL(url), healthy: undefined, reason: undefined, failures: 0, successes: 0, probing: undefined, session: undefined, answeredAt: Number.NEGATIVE_INFINITY, skipped: 0 }
}

/** Probes a fixed list of origins on an interval; see the file comment. */
export class ActiveHealthCheck {
  #targets: TargetState[]
  readonly #options: HealthCheckOptions
  #timer: NodeJS.Timeout | undefined
  /** Probes the unhealthy targets every unhealthyIntervalMs while there are any. */
  #recheck: NodeJS.Timeout | undefined
  #closed = false
  /** Good https: probes still open, waiting for their session ticket; closed with the check. */
  readonly #lingering = new Set<Socket>()

  constructor (urls: readonly string[], options: HealthCheckOptions) {
    this.#targets = urls.map(url => (newTarget(url)))
    this.#options = options
  }

  /** Probes every target now, then every interval (the timer does not hold the process). */
  start (): void {
    if (this.#timer !== undefined || this.#closed) return
    this.#probeAll()
    this.#timer = setInterval(() => { this.#probeAll() }, this.#options.intervalMs).unref()
  }

  /**
   * Probes this list from now on (a reloaded host map): targets already known keep
   * their state, new ones are probed at once.
   */
  setTargets (urls: readonly string[]): void {
    const old = new Map(this.#targets.map(t => [t.url.origin, t]))
    this.#targets = urls.map(url => old.get(new URL(url).origin) ?? newTarget(url))
    for (const [origin, t] of old) if (!urls.some(u => new URL(u).origin === origin)) t.probing?.destroy()
    if (this.#timer !== undefined) this.#probeAll()
  }

  status (): TargetHealth[] {
    return this.#targets.map(t => ({ url: t.url.origin, healthy: t.healthy, reason: t.healthy === false ? t.reason : undefined }))
  }

  /**
   * A real request to target `index` got an answer: the target is up and speaks HTTP.
   * While it is healthy, its next probe is skipped if this happened within the last
   * interval (at most MAX_SKIPPED_PROBES in a row). A skipped probe records nothing:
   * failures of real probes still add up.
   */
  answered (index: number): void {
    const target = this.#targets[index]
    if (target !== undefined) target.answeredAt = performance.now()
  }

  /**
   * A real request to target `index` could not reach it (a refused or timed-out
   * connection, a server closing down): the target is unhealthy at once, whatever
   * the threshold, and is probed every unhealthyIntervalMs until it is healthy again.
   */
  failed (index: number, reason: string): void {
    const t = this.#targets[index]
    if (t === undefined || this.#closed) return
    t.successes = 0
    t.reason = reason
    const before = t.healthy
    t.healthy = false
    if (before === true) this.#options.onChange?.(index, false, reason, t.url.origin)
    this.#scheduleRecheck()
  }

  /** True when target `index` is known to be unreachable (false before its first result). */
  isDown (index: number): boolean {
    return this.#targets[index]?.healthy === false
  }

  /** True when at least one target passed its health check. */
  anyHealthy (): boolean {
    return this.#targets.some(t => t.healthy === true)
  }

  /** True until every target has a first result. */
  pending (): boolean {
    return this.#targets.some(t => t.healthy === undefined)
  }

  close (): void {
    this.#closed = true
    if (this.#timer !== undefined) clearInterval(this.#timer)
    if (this.#recheck !== undefined) clearInterval(this.#recheck)
    this.#timer = this.#recheck = undefined
    for (const t of this.#targets) t.probing?.destroy()
    for (const socket of this.#lingering) socket.destroy()
  }

  #probeAll (): void {
    for (let i = 0; i < this.#targets.length; i++) this.#probe(i)
  }

  /** Starts the unhealthy targets' faster probe loop, when one is set and not running. */
  #scheduleRecheck (): void {
    const every = this.#options.unhealthyIntervalMs
    if (every === undefined || this.#recheck !== undefined || this.#closed) return
    this.#recheck = setInterval(() => { this.#probeUnhealthy() }, every).unref()
  }

  #probeUnhealthy (): void {
    let any = false
    for (let i = 0; i < this.#targets.length; i++) {
      if (this.#targets[i]!.healthy !== false) continue
      any = true
      this.#probe(i)
    }
    if (!any && this.#recheck !== undefined) {
      clearInterval(this.#recheck)
      this.#recheck = undefined
    }
  }

  #probe (index: number): void {
    const target = this.#targets[index]!
    const targets = this.#targets
    if (target.probing !== undefined) return
    if (target.healthy === true && target.skipped < MAX_SKIPPED_PROBES && performance.now() - target.answeredAt < this.#options.intervalMs) {
      target.skipped++
      return
    }
    target.skipped = 0
    const https = target.url.protocol === 'https:'
    const socket = connectProbe(target.url, this.#options.tls, target.session)
    target.probing = socket
    // TLS 1.3 sends its session tickets after the handshake: a good probe waits for
    // one (at most SESSION_TICKET_WAIT_MS) before it closes, and the next probe resumes
    // the session. A full handshake moved 1.8 KB over the link every interval (22 KB a
    // minute with the 5 s default); a resumed one sends no certificate (issue 17).
    let settled = false
    if (https) {
      socket.on('session', function keepProbeSession (session: Buffer) {
        target.session = session
        if (settled) socket.end()
      })
    }
    const settle = (ok: boolean, reason: string | undefined): void => {
      if (settled) return
      settled = true
      socket.on('error', function ignoreAfterResult () {})
      if (ok && https) {
        this.#lingering.add(socket)
        socket.once('close', () => { this.#lingering.delete(socket) })
        // keepProbeSession ends it when the ticket comes; without one, this does.
        setTimeout(function closeWithoutTicket () { socket.end() }, SESSION_TICKET_WAIT_MS).unref()
        setTimeout(function dropLingeringProbe () { socket.destroy() }, SESSION_TICKET_WAIT_MS + this.#options.timeoutMs).unref()
      } else {
        if (!ok) target.session = undefined
        socket.destroy()
      }
      target.probing = undefined
      // A result for a list that has since been replaced is dropped.
      if (!this.#closed && this.#targets === targets) this.#record(index, ok, reason)
    }
    socket.setTimeout(this.#options.timeoutMs)
    socket.once(https ? 'secureConnect' : 'connect', function probeConnected () { settle(true, undefined) })
    socket.once('timeout', function probeTimedOut () { settle(false, 'ETIMEDOUT') })
    socket.once('error', function probeFailed (err: NodeJS.ErrnoException) { settle(false, err.code ?? err.message) })
  }

  #record (index: number, ok: boolean, reason: string | undefined): void {
    const t = this.#targets[index]!
    const before = t.healthy
    if (ok) {
      t.failures = 0
      t.successes++
      if (before === undefined || (before === false && t.successes >= this.#options.healthyThreshold)) {
        t.healthy = true
        t.reason = undefined
      }
    } else {
      t.successes = 0
      t.failures++
      t.reason = reason
      // The first result decides at once: there is no earlier state to protect.
      if (before === undefined || (before === true && t.failures >= this.#options.unhealthyThreshold)) t.healthy = false
      if (t.healthy === false) this.#scheduleRecheck()
    }
    if (before !== undefined && before !== t.healthy) this.#options.onChange?.(index, t.healthy === true, t.reason, t.url.origin)
  }
}

/**
 * A TCP (http:) or TLS (https:) connection to an upstream's address, as the health
 * probes open it: the default port of the scheme, an IPv6 literal without its
 * brackets, SNI only for a host name (RFC 6066 section 3; Node 26 refuses an IP
 * address), and the CA and client certificate when given. The socket emits `connect`
 * (http:) or `secureConnect` (https:) once usable.
 */
export function connectProbe (url: URL, tls: { ca?: string | Buffer | undefined, cert?: string | Buffer | undefined, key?: string | Buffer | undefined } = {}, session?: Buffer): Socket {
  const https = url.protocol === 'https:'
  const port = Number(url.port || (https ? 443 : 80))
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  if (!https) return connect({ host, port })
  return tlsConnect({
    host,
    port,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    ...(session === undefined ? {} : { session })
  })
}
