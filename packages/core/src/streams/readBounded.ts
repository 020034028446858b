import { PassThrough } from 'node:stream'
import type { Readable } from 'node:stream'
import { ERR_BODY_INCOMPLETE } from '../errors.ts'

export type BoundedRead =
  | { complete: true, body: Buffer }
  /** Over the limit: `replay` yields every byte of the original stream, in order. */
  | { complete: false, replay: Readable }

/**
 * Buffers a stream up to `maxBytes`. Past the limit it stops buffering and hands
 * back a stream that replays what was read followed by the rest, so a large body
 * passes through untouched and memory stays bounded.
 */
export function readBounded (stream: Readable, maxBytes: number): Promise<BoundedRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    function onData (chunk: Buffer | string): void {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      chunks.push(buf)
      length += buf.length
      if (length > maxBytes) {
        cleanup()
        stream.pause()
        const replay = new PassThrough()
        for (const c of chunks) replay.write(c)
        stream.on('error', function forwardError (err) { replay.destroy(err) })
        stream.pipe(replay)
        resolve({ complete: false, replay })
      }
    }
    function onEnd (): void {
      cleanup()
      resolve({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) })
    }
    function onError (err: Error): void {
      cleanup()
      reject(err)
    }
    function onClose (): void {
      // Closed without 'end': the body is incomplete and must not become a version.
      cleanup()
      reject(new ERR_BODY_INCOMPLETE())
    }
    function cleanup (): void {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
      stream.off('close', onClose)
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}
