/** Who a contender is, which decides how the report reads its figures. */
export type ContenderFamily =
  /** Coilgun's own delta codecs: held to the hot-path goal. */
  | 'ours'
  /** The whole new version compressed on its own: what is sent without a delta. */
  | 'full-body'
  /** Delta CLIs run as a separate process per call: sizes to beat, times include a spawn. */
  | 'external'

/** One consecutive pair of versions, as every contender sees it. */
export interface Pair {
  readonly base: Buffer
  readonly target: Buffer
  /**
   * SHA-256 of the base, computed before timing: a sender or listener already knows
   * it (it names the version in the store), so the codecs are not charged for it.
   */
  readonly baseHash: Buffer
}

export interface Contender {
  readonly name: string
  readonly family: ContenderFamily
  /** Why it cannot run here (codec unavailable, tool not installed); undefined when it can. */
  readonly unavailable: string | undefined
  /** Untimed setup before a pair is measured (the CLIs read their inputs from files). */
  preparePair? (pair: Pair): void
  encode (pair: Pair): Uint8Array
  /** Untimed setup before the pair's decodes are measured. */
  prepareDecode? (pair: Pair, delta: Uint8Array): void
  /** Rebuilds the target; the caller compares it with the real one byte by byte. */
  decode (pair: Pair, delta: Uint8Array): Uint8Array
  /** Releases what the contender created (scratch files). */
  close? (): void
}
