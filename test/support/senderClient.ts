import { request } from 'undici'
import type { Dispatcher } from 'undici'
import { deltaRequestHeaders, loadCodecs, rebuildFromAnswer } from '@coilgun/core'
import type { Codec, CodecName, HeldVersion, RebuiltVersion } from '@coilgun/core'

// Lives here, beside the end-to-end tests, rather than in @coilgun/fixtures: it needs
// @coilgun/core, and core's own tests use the fixtures package, so a fixture importing
// core made the workspace dependency graph cyclic (issue 14).

/**
 * A minimal Coilgun sender for origin-side tests: holds the last version of each
 * path, asks for deltas exactly as docs/PROTOCOL.md says, and rebuilds and verifies
 * each answer with @coilgun/core.
 */
export class SenderClient {
  readonly held = new Map<string, HeldVersion>()
  readonly #origin: string
  readonly #secret: string
  readonly #codecs: Map<CodecName, Codec>
  readonly #dispatcher: Dispatcher | undefined

  private constructor (origin: string, secret: string, codecs: Map<CodecName, Codec>, dispatcher?: Dispatcher) {
    this.#origin = origin
    this.#secret = secret
    this.#codecs = codecs
    this.#dispatcher = dispatcher
  }

  static async create (origin: string, secret: string, codecNames?: readonly CodecName[], dispatcher?: Dispatcher): Promise<SenderClient> {
    const codecs = await loadCodecs(codecNames)
    return new SenderClient(origin, secret, codecs, dispatcher)
  }

  /** Codecs this client offers (available ones only). */
  get codecs (): Codec[] {
    return [...this.#codecs.values()].filter(c => c.available)
  }

  /** Requests `path`, rebuilds the answer, remembers it as the next base. */
  async get (path: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, wireBytes: number, rebuilt: RebuiltVersion }> {
    const base = this.held.get(path)
    // Verbose (not the lean answer a real sender asks for): tests read what the origin
    // did from Coilgun-Origin, and its Repr-Digest and Delta-Base.
    const headers = { ...deltaRequestHeaders(this.#secret, this.codecs, base, true), ...extraHeaders }
    const res = await request(this.#origin + path, { headers, ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}) })
    const body = Buffer.from(await res.body.arrayBuffer())
    const answer = { status: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, body }
    const rebuilt = rebuildFromAnswer(answer, base, this.#codecs, 64 * 1024 * 1024)
    this.held.set(path, { body: rebuilt.body, hash: rebuilt.hash })
    return { status: res.statusCode, headers: answer.headers, wireBytes: body.length, rebuilt }
  }
}
