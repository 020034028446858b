import { Writable } from 'node:stream'

/** A pino destination that keeps every JSON line, for assertions on logs. */
export function logCapture (): { stream: Writable, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  let partial = ''
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      partial += chunk.toString()
      let nl
      while ((nl = partial.indexOf('\n')) !== -1) {
        const line = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      }
      done()
    }
  })
  return { stream, lines }
}
