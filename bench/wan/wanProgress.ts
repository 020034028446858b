/**
 * Progress of the WAN bench on stderr (stdout carries only the report). On a
 * terminal the current step is one line rewritten in place, with the time spent
 * so far; in a log (CI, a test's child process) only finished steps and notes are
 * written, one line each.
 */
export interface WanProgress {
  /** The step under way; `done` ends its line. */
  step (text: string, done?: boolean): void
  /** A line of its own. */
  note (text: string): void
}

export function createWanProgress (stream: NodeJS.WriteStream = process.stderr): WanProgress {
  const tty = stream.isTTY === true
  const started = performance.now()
  let lineOpen = false
  function clock (): string {
    const s = Math.round((performance.now() - started) / 1000)
    return `[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}]`
  }
  return {
    step (text, done = false) {
      if (tty) {
        stream.write(`\r\x1b[2K${clock()} ${text}`)
        lineOpen = !done
        if (done) stream.write('\n')
      } else if (done) {
        stream.write(`${clock()} ${text}\n`)
      }
    },
    note (text) {
      if (lineOpen) stream.write('\n')
      lineOpen = false
      stream.write(`${text}\n`)
    }
  }
}
