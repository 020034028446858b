import { parseArgs } from 'node:util'
import { hostRoutingFuzz } from '../../apps/listener/test/fuzzHostRouting.ts'
import { rebuildFuzz } from '../support/fuzzRebuild.ts'
import type { FuzzTarget } from '@coilgun/fixtures/fuzzTarget'
import { vcdiffSummaryFuzz } from '../support/fuzzVcdiffSummary.ts'
import { decodersFuzz, headerParsersFuzz } from './fuzzCoreTargets.ts'

// The child of fuzzLong.ts: runs batches of every fuzz target, each batch from its
// own seed, until told to stop. Before each batch it tells the parent which target
// and seed it starts, so a hang (no word for too long) can be reported and replayed.
// Never run by hand.

export type FuzzWorkerMessage =
  | { type: 'round' }
  | { type: 'batch', target: string, seed: number }
  | { type: 'done', target: string, seed: number, cases: number, outcomes: Record<string, number> }
  | { type: 'failed', target: string, seed: number, report: string }

const { values } = parseArgs({ options: { seed: { type: 'string' }, only: { type: 'string' }, batch: { type: 'string', default: '500' } } })
const batch = Number(values.batch)

function send (message: FuzzWorkerMessage): void {
  process.send?.(message)
}

const all: FuzzTarget[] = [await rebuildFuzz(), await vcdiffSummaryFuzz(), await hostRoutingFuzz(), headerParsersFuzz(), await decodersFuzz()]
const targets = values.only === undefined ? all : all.filter(t => t.name.startsWith(values.only!))
if (targets.length === 0) {
  process.stderr.write(`fuzz: no target named ${values.only}; targets: ${all.map(t => t.name).join(', ')}\n`)
  process.exit(2)
}

let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
process.once('disconnect', function parentGone () { process.exit(0) })
for (;;) {
  for (const target of targets) {
    send({ type: 'batch', target: target.name, seed })
    target.outcomes.clear()
    try {
      await target.run(batch, seed)
    } catch (err) {
      send({ type: 'failed', target: target.name, seed, report: err instanceof Error ? err.message : String(err) })
      await new Promise(resolve => setTimeout(resolve, 100))
      process.exit(1)
    }
    send({ type: 'done', target: target.name, seed, cases: batch, outcomes: Object.fromEntries(target.outcomes) })
    // Let the event loop turn: Node frees the native state of a zlib call that failed
    // only then, so a loop that never yields would hold it all (and look like a leak).
    await new Promise(resolve => setTimeout(resolve, 1))
  }
  // The parent stops only between rounds, so every target has run when it reports.
  send({ type: 'round' })
  // A fixed seed replays one batch of each target; otherwise every round explores anew.
  if (values.seed !== undefined) {
    await Promise.all(targets.map(t => t.close?.()))
    process.exit(0)
  }
  seed = (seed * 1103515245 + 12345) % 2 ** 31
}
