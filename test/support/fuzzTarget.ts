/**
 * One fuzzed function (issue 8): the suite runs a few thousand cases of it; the long
 * mode in test/long/ (fuzzLong.ts) runs it again and again with fresh seeds for hours.
 */
export interface FuzzTarget {
  readonly name: string
  /**
   * Runs `numRuns` random cases starting from `seed`. Throws fast-check's report
   * (seed, shrunk counterexample, path to replay it) when the invariant breaks.
   */
  run (numRuns: number, seed?: number): void | Promise<void>
  /** How the cases run so far ended (`ok`, or an error code): proof the cases are not all alike. */
  readonly outcomes: Map<string, number>
  /** Releases what the target opened (pools, servers), if anything. */
  close? (): Promise<void>
}

/** fast-check parameters for a run: a fixed seed replays a failure exactly. */
export function runParameters (numRuns: number, seed: number | undefined): { numRuns: number, seed?: number } {
  return seed === undefined ? { numRuns } : { numRuns, seed }
}

/** Counts one outcome of a case. */
export function count (outcomes: Map<string, number>, outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
}
