import { Agent, interceptors, request } from 'undici'
import type { Dispatcher } from 'undici'
import { decodeFullBody, readBounded, resolveEligibility } from '@coilgun/core'
import type { ProblemKind } from './resourceTally.ts'

// One poll of one URL, as a visitor's browser would make it: GET with an honest
// User-Agent, redirects followed, gzip/br accepted and decoded. Every way it can
// fail becomes a ProblemKind for the report, never an exception.

/** Redirects followed before giving up, as browsers do (RFC 9110 section 15.4). */
export const MAX_REDIRECTIONS = 5

export type FetchOutcome =
  | { ok: true, body: Buffer, contentType: string, retryAfterMs: number | undefined }
  | { ok: false, kind: ProblemKind, detail: string, retryAfterMs: number | undefined }
  /** Stopped by Ctrl-C: neither a version nor a problem. */
  | { ok: false, kind: 'interrupted', detail: string, retryAfterMs: undefined }

export interface VersionFetcherOptions {
  userAgent: string
  timeoutMs: number
  maxBytes: number
  /** Injected transport for tests; the fetcher closes only what it created. */
  dispatcher?: Dispatcher
}

/**
 * RFC 9110 section 10.2.3: `Retry-After` is delay-seconds or an HTTP-date. Returns
 * the delay in ms from `nowMs`, or undefined when absent or malformed.
 */
export function parseRetryAfter (value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

const TEXT_TYPES = resolveEligibility()

export class VersionFetcher {
  readonly #options: VersionFetcherOptions
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean

  constructor (options: VersionFetcherOptions) {
    this.#options = options
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }))
  }

  async fetch (url: URL, signal: AbortSignal): Promise<FetchOutcome> {
    const { timeoutMs, maxBytes, userAgent } = this.#options
    // undici's timeouts bound the gap between two chunks; this bounds the whole answer.
    const deadline = AbortSignal.timeout(timeoutMs)
    const both = AbortSignal.any([signal, deadline])
    let res: Dispatcher.ResponseData
    try {
      res = await request(url, {
        method: 'GET',
        dispatcher: this.#dispatcher,
        signal: both,
        headers: {
          'user-agent': userAgent,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.9,*/*;q=0.8',
          'accept-encoding': 'gzip, br'
        }
      })
    } catch (err) {
      return failure(err, signal, deadline)
    }
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now())
    const contentType = headerText(res.headers['content-type']) ?? ''
    const refuse = (kind: ProblemKind, detail: string): FetchOutcome => {
      discard(res.body)
      return { ok: false, kind, detail, retryAfterMs }
    }
    if (res.statusCode !== 200) return refuse('status', `HTTP ${res.statusCode}`)
    if (!TEXT_TYPES.contentTypeEligible(contentType)) return refuse('not-text', contentType === '' ? 'no Content-Type' : contentType.split(';')[0]!.trim())
    const length = Number(headerText(res.headers['content-length']))
    if (Number.isFinite(length) && length > maxBytes) return refuse('too-large', `more than ${maxBytes} bytes`)
    let raw: Buffer
    try {
      const read = await readBounded(res.body, maxBytes)
      if (!read.complete) {
        discard(read.replay)
        return refuse('too-large', `more than ${maxBytes} bytes`)
      }
      raw = read.body
    } catch (err) {
      discard(res.body)
      return failure(err, signal, deadline)
    }
    try {
      const body = Buffer.from(decodeFullBody(headerText(res.headers['content-encoding'])?.trim().toLowerCase(), raw, maxBytes))
      return { ok: true, body, contentType, retryAfterMs }
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'COILGUN_ERR_DELTA_TOO_LARGE') return { ok: false, kind: 'too-large', detail: `more than ${maxBytes} bytes once decoded`, retryAfterMs }
      return { ok: false, kind: 'bad-encoding', detail: (err as Error).message, retryAfterMs }
    }
  }

  async close (): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }
}

function ignoreError (): void {}

/** Drops a body we will not read: the connection is closed rather than drained. */
function discard (body: NodeJS.ReadableStream & { destroy: () => void }): void {
  // undici reports the abort as an 'error' on the body; nothing is listening for it.
  body.on('error', ignoreError)
  body.destroy()
}

function headerText (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

function failure (err: unknown, signal: AbortSignal, deadline: AbortSignal): FetchOutcome {
  if (signal.aborted) return { ok: false, kind: 'interrupted', detail: 'interrupted', retryAfterMs: undefined }
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }
  if (deadline.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return { ok: false, kind: 'timeout', detail: 'no complete answer in time', retryAfterMs: undefined }
  const code = e.cause?.code ?? e.code
  return { ok: false, kind: 'unreachable', detail: code ?? e.message, retryAfterMs: undefined }
}
