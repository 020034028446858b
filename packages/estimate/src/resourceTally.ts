import { DEFAULT_MIN_BODY_BYTES, sha256, versionId } from '@coilgun/core'
import type { ChangeFigures, ChangeMeasurer, Version } from './changeMeasurer.ts'

// Everything measured about one resource (a polled URL or a folder of saved
// versions). Each change is measured as soon as it is seen and only the latest
// version is kept, so memory stays at one page per resource however long the run,
// and an interruption loses nothing that was measured.

/** Why a poll or a saved file gave no version. */
export type ProblemKind = 'unreachable' | 'timeout' | 'status' | 'not-text' | 'too-large' | 'bad-encoding' | 'unreadable' | 'no-versions' | 'measure-failed' | 'save-failed'

export interface Problem {
  kind: ProblemKind
  /** What exactly: `HTTP 503`, `ECONNREFUSED`, `image/png`, `more than 8388608 bytes`. */
  detail: string
  count: number
}

export interface TimedChange extends ChangeFigures {
  /** When version N was first seen (ISO 8601); absent for saved versions. */
  at: string | undefined
}

export class ResourceTally {
  /** The URL, or the folder's name. */
  readonly name: string
  /** Key under which the origin would store its versions (host + path + query). */
  readonly resourceKey: string
  /** Path a visitor dictionary would match (`Use-As-Dictionary: match=`). */
  readonly path: string
  /** Polls made, or files read. */
  attempts = 0
  /** When each poll started (ms since the epoch); empty for saved versions. */
  readonly pollStartsMs: number[] = []
  /** Attempts that gave a version (changed or not). */
  versionsSeen = 0
  readonly distinct = new Set<string>()
  readonly changes: TimedChange[] = []
  readonly #problems = new Map<string, Problem>()
  /** Remarks that are not failures (files skipped by extension, ...). */
  readonly notes: string[] = []
  /** Times (ms since the epoch) of the first and the last version seen. */
  firstSeenMs: number | undefined
  lastSeenMs: number | undefined
  #last: Version | undefined
  #smallNoted = false

  constructor (name: string, resourceKey: string, path: string) {
    this.name = name
    this.resourceKey = resourceKey
    this.path = path
  }

  /**
   * Takes one observed body. A body that differs from the previous one (by SHA-256)
   * is a change and is measured against it at once. Returns whether the body starts
   * a new version in the sequence (the first one, or a change): such bodies are what
   * `--save` writes, so that `--dir` on them replays the same changes.
   */
  async addVersion (body: Uint8Array, measurer: ChangeMeasurer, atMs: number | undefined): Promise<boolean> {
    const hash = sha256(body)
    this.versionsSeen++
    if (body.length < DEFAULT_MIN_BODY_BYTES && !this.#smallNoted) {
      // Coilgun's default eligibility (core's DEFAULT_MIN_BODY_BYTES) passes such
      // bodies through untouched: the link figures for them are what could be, not what is.
      this.#smallNoted = true
      this.notes.push(`some versions are under ${DEFAULT_MIN_BODY_BYTES} bytes, which Coilgun passes through without a delta by default`)
    }
    this.distinct.add(versionId(hash))
    if (atMs !== undefined) {
      this.firstSeenMs ??= atMs
      this.lastSeenMs = atMs
    }
    const prev = this.#last
    this.#last = { body, hash }
    if (prev === undefined) return true
    if (prev.hash.equals(hash)) return false
    let figures
    try {
      figures = await measurer.measure(this.resourceKey, this.path, prev, { body, hash })
    } catch (err) {
      // A codec that fails on one pair (COILGUN_ERR_ENCODE_FAILED, a wasm abort) costs
      // that change, not the run: the next change is measured from this version.
      this.addProblem('measure-failed', `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`)
      return true
    }
    this.changes.push({ ...figures, at: atMs === undefined ? undefined : new Date(atMs).toISOString() })
    return true
  }

  addProblem (kind: ProblemKind, detail: string): void {
    const key = `${kind}\u0000${detail}`
    const known = this.#problems.get(key)
    if (known !== undefined) known.count++
    else this.#problems.set(key, { kind, detail, count: 1 })
  }

  get problems (): Problem[] {
    return [...this.#problems.values()].map(p => ({ ...p }))
  }

  get problemCount (): number {
    let n = 0
    for (const p of this.#problems.values()) n += p.count
    return n
  }
}
