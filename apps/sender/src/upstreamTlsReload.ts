import { X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import { Dispatcher } from 'undici'
import type { SenderConfig } from './config.ts'

// Issue 16 ("SIGHUP reloads"): the TLS material the sender uses towards its
// upstreams (COILGUN_UPSTREAM_CA, COILGUN_UPSTREAM_CERT, COILGUN_UPSTREAM_KEY) is
// read again on SIGHUP. undici takes TLS options when a pool is built, so new
// requests go to a new pool built with the new material while the old one is
// closed gracefully (undici's close() lets queued and in-flight requests finish).

type UpstreamTlsFields = Pick<SenderConfig, 'upstreamCa' | 'upstreamCert' | 'upstreamKey'>

/** TLS options for connections to upstreams, in the shape undici's `connect` and node:tls take. */
export interface UpstreamTlsOptions { ca?: string, cert?: string, key?: string }

/** The upstream TLS options of a configuration (empty: the system CAs, no client certificate). */
export function upstreamTlsOptions (config: UpstreamTlsFields): UpstreamTlsOptions {
  return {
    ...(config.upstreamCa === undefined ? {} : { ca: config.upstreamCa }),
    ...(config.upstreamCert === undefined ? {} : { cert: config.upstreamCert, key: config.upstreamKey })
  }
}

/**
 * What a reload would change in the upstream TLS material, after checking the new
 * material as a whole: every certificate of the CA bundle parses (node:tls silently
 * skips one that does not, which would leave the sender trusting less than asked),
 * and the client key matches its certificate. Throws an UpstreamTlsError
 * (COILGUN_ERR_INVALID_CONFIG) naming the variable, so a failed reload keeps the
 * running material; returns [] when nothing changed.
 */
export function upstreamTlsChanges (current: UpstreamTlsFields, next: UpstreamTlsFields): string[] {
  const changes: string[] = []
  if (next.upstreamCa !== current.upstreamCa) {
    if (next.upstreamCa !== undefined) checkCaBundle(next.upstreamCa)
    changes.push('upstream CA bundle (COILGUN_UPSTREAM_CA)')
  }
  if (next.upstreamCert !== current.upstreamCert || next.upstreamKey !== current.upstreamKey) {
    if (next.upstreamCert !== undefined && next.upstreamKey !== undefined) checkClientPair(next.upstreamCert, next.upstreamKey)
    changes.push('upstream client certificate and key (COILGUN_UPSTREAM_CERT, COILGUN_UPSTREAM_KEY)')
  }
  return changes
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g

function checkCaBundle (pem: string): void {
  const blocks = pem.match(PEM_CERTIFICATE) ?? []
  if (blocks.length === 0) throw new UpstreamTlsError('COILGUN_UPSTREAM_CA', 'expected a PEM bundle of CA certificates, found no complete -----BEGIN CERTIFICATE----- block')
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block)
    } catch (err) {
      throw new UpstreamTlsError('COILGUN_UPSTREAM_CA', `certificate ${i + 1} of the bundle does not parse (${(err as Error).message})`)
    }
  }
}

function checkClientPair (cert: string, key: string): void {
  try {
    createSecureContext({ cert, key })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ? 'does not match the certificate of COILGUN_UPSTREAM_CERT' : `the certificate and key do not parse (${(err as Error).message})`
    throw new UpstreamTlsError('COILGUN_UPSTREAM_KEY', why)
  }
}

/**
 * Upstream TLS material that cannot be used. The code is the one of every invalid
 * setting (docs/ERRORS.md); unlike ConfigError, the message does not quote the
 * value, which is a file's contents (a private key among them).
 */
export class UpstreamTlsError extends Error {
  readonly code = 'COILGUN_ERR_INVALID_CONFIG'
  readonly variable: string
  constructor (variable: string, why: string) {
    super(`${variable}: ${why}`)
    this.variable = variable
  }
}

/**
 * A dispatcher whose underlying undici dispatcher can be replaced: requests go to the
 * current one; a replaced one is closed, which lets its in-flight and queued requests
 * finish. @fastify/http-proxy takes it as an undici instance, the delta path uses it
 * as a pool.
 */
export class ReloadableDispatcher extends Dispatcher {
  readonly #build: (tls: UpstreamTlsOptions) => Dispatcher
  #current: Dispatcher
  readonly #retiring = new Set<Dispatcher>()

  constructor (build: (tls: UpstreamTlsOptions) => Dispatcher, tls: UpstreamTlsOptions) {
    super()
    this.#build = build
    this.#current = build(tls)
  }

  override dispatch (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#current.dispatch(options, handler)
  }

  /** New requests use a dispatcher built with `tls`; the old one finishes what it has, then closes. */
  reload (tls: UpstreamTlsOptions): void {
    const old = this.#current
    this.#current = this.#build(tls)
    this.#retiring.add(old)
    old.close().catch(() => { /* already closed or destroyed: nothing left to finish */ }).finally(() => this.#retiring.delete(old))
  }

  override close (): Promise<void>
  override close (callback: () => void): void
  override close (callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.#current, ...this.#retiring].map(d => d.close())).then(() => undefined)
    if (callback === undefined) return done
    done.then(callback, callback)
  }

  override destroy (): Promise<void>
  override destroy (err: Error | null): Promise<void>
  override destroy (callback: () => void): void
  override destroy (err: Error | null, callback: () => void): void
  override destroy (errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : errOrCallback ?? null
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback
    const done = Promise.all([this.#current, ...this.#retiring].map(d => d.destroy(err))).then(() => undefined)
    if (cb === undefined) return done
    done.then(cb, cb)
  }
}

/**
 * The upstream TLS material in use, shared by everything that connects to an
 * upstream: the pools of the delta path and of passthrough requests (rebuilt on
 * change), and the health checks and upgrade tunnels, which read `ca`, `cert` and
 * `key` from this object at each connection.
 */
export class UpstreamTlsMaterial implements UpstreamTlsOptions {
  ca?: string
  cert?: string
  key?: string
  readonly #dispatchers: ReloadableDispatcher[] = []

  constructor (config: UpstreamTlsFields) {
    this.#set(upstreamTlsOptions(config))
  }

  /** A dispatcher built by `build` with the current material, rebuilt whenever it changes. */
  dispatcher (build: (tls: UpstreamTlsOptions) => Dispatcher): ReloadableDispatcher {
    const d = new ReloadableDispatcher(build, this.options())
    this.#dispatchers.push(d)
    return d
  }

  /** A copy of the current options (undici keeps the object it is given). */
  options (): UpstreamTlsOptions {
    return upstreamTlsOptions({ upstreamCa: this.ca, upstreamCert: this.cert, upstreamKey: this.key })
  }

  /** Switches to `next`'s material (checked beforehand with upstreamTlsChanges). */
  apply (next: UpstreamTlsFields): void {
    this.#set(upstreamTlsOptions(next))
    const tls = this.options()
    for (const d of this.#dispatchers) d.reload(tls)
  }

  #set (tls: UpstreamTlsOptions): void {
    this.ca = tls.ca
    this.cert = tls.cert
    this.key = tls.key
  }
}
