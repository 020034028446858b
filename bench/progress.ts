/** Where the bench reports progress: stderr, so stdout carries only the report. */
export interface Progress {
  start (set: string): void
  pair (set: string, done: number, total: number): void
  note (message: string): void
}

/**
 * On a terminal one line is rewritten in place; in a log (CI, a test's child
 * process) each set gets one line when it is done, so logs stay short.
 */
export function createProgress (stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true
  let setStarted = performance.now()
  let lineOpen = false
  return {
    start () {
      setStarted = performance.now()
    },
    pair (set, done, total) {
      const seconds = ((performance.now() - setStarted) / 1000).toFixed(1)
      const text = `${set}: ${done}/${total} pairs (${seconds} s)`
      if (tty) {
        stream.write(`\r\x1b[2K${text}`)
        lineOpen = done < total
        if (!lineOpen) stream.write('\n')
      } else if (done === total) {
        stream.write(`${text}\n`)
      }
    },
    note (message) {
      if (lineOpen) stream.write('\n')
      lineOpen = false
      stream.write(`${message}\n`)
    }
  }
}
