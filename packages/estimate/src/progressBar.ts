import cliProgress from 'cli-progress'
import { formatDuration } from './duration.ts'
import type { ResourceTally } from './resourceTally.ts'

// While polling: one bar with the time left, the versions seen and the changes so
// far, drawn by cli-progress. Only on a terminal: when stdout is a pipe or a file
// nothing is drawn, so the output is the report alone.

export interface ProgressView {
  update (): void
  stop (): void
}

const NO_PROGRESS: ProgressView = Object.freeze({ update () {}, stop () {} })

/** How often the time left is redrawn when nothing else happens. */
const TICK_MS = 1000

function counts (tallies: readonly ResourceTally[]): { versions: number, changes: number, problems: number } {
  let versions = 0
  let changes = 0
  let problems = 0
  for (const t of tallies) {
    versions += t.distinct.size
    changes += t.changes.length
    problems += t.problemCount
  }
  return { versions, changes, problems }
}

/**
 * `total` and `value()` are in the run's own unit: milliseconds of polling time, or
 * polls (with `--polls`), or files (with `--dir`). `timeLeftMs()` says what to show.
 */
export function createProgress (stream: NodeJS.WriteStream, tallies: readonly ResourceTally[], total: number, value: () => number, timeLeftMs: () => number | undefined): ProgressView {
  if (stream.isTTY !== true) return NO_PROGRESS
  const bar = new cliProgress.SingleBar({
    stream,
    format: '{bar} {percentage}% | {left} | versions seen: {versions}, changes: {changes}, problems: {problems}',
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30
  }, cliProgress.Presets.shades_classic)
  const payload = (): Record<string, string | number> => {
    const left = timeLeftMs()
    return { ...counts(tallies), left: left === undefined ? `${Math.max(0, total - value())} to go` : `${formatDuration(Math.max(0, left))} left` }
  }
  bar.start(Math.max(1, total), 0, payload())
  const update = (): void => bar.update(Math.min(total, value()), payload())
  const timer = setInterval(update, TICK_MS)
  timer.unref()
  return {
    update,
    stop () {
      clearInterval(timer)
      bar.stop()
    }
  }
}
