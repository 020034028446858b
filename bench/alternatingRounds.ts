// Contenders take turns, round after round, instead of running one after the other:
// a slow spell of the shared machine then hits every contender in some round, and
// the median over rounds drops it. The order flips every round, so nobody always
// runs right after the same neighbour.

/** One thing to measure: a timed run of `durationS` seconds returns its sample. */
export interface LoadContender<S> {
  readonly name: string
  run (durationS: number): Promise<S>
}

export interface RoundsPlan {
  readonly rounds: number
  readonly durationS: number
  /** Untimed run per contender first (JIT, connection pools, caches), seconds; 0 for none. */
  readonly warmupS: number
}

/** Every contender's samples, one per round, in round order. */
export async function runAlternating<S> (contenders: ReadonlyArray<LoadContender<S>>, plan: RoundsPlan, onRound: (round: number, samples: ReadonlyMap<string, S>) => void): Promise<Map<string, S[]>> {
  if (plan.warmupS > 0) {
    for (const c of contenders) await c.run(plan.warmupS)
  }
  const samples = new Map<string, S[]>(contenders.map(c => [c.name, []]))
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    const thisRound = new Map<string, S>()
    for (const c of order) {
      const sample = await c.run(plan.durationS)
      samples.get(c.name)!.push(sample)
      thisRound.set(c.name, sample)
    }
    onRound(round + 1, thisRound)
  }
  return samples
}
