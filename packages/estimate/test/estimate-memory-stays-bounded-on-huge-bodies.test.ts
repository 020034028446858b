import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import zlib from 'node:zlib'
import type { EstimateResult } from '@coilgun/estimate'
import { runCli, startServer, tempFile } from './support.ts'

// Issue 19: `--max-bytes` bounds what one poll can cost, measured on the process
// (its peak resident memory, VmHWM), not on our bookkeeping: a body streamed far
// past the cap is cut off, and a small gzip body that would inflate to 256 MiB stops
// inflating at the cap.

const MAX_BYTES = 1_000_000
const STREAM_BYTES = 256 * 1024 * 1024
const hasProc = (() => {
  try {
    readFileSync('/proc/self/status')
    return true
  } catch {
    return false
  }
})()

function peakRssBytes (pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? undefined : Number(m[1]) * 1024
  } catch {
    return undefined
  }
}

test('a body streamed far past --max-bytes and a gzip bomb leave the process small', { skip: hasProc ? false : 'needs /proc to read the child\'s peak memory' }, async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(STREAM_BYTES), { level: 9 })
  let streamed = 0
  const server = await startServer({
    '/endless': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      const chunk = Buffer.alloc(64 * 1024, 'z')
      // Writes as fast as the client reads, until STREAM_BYTES or the client hangs up.
      const pump = (): void => {
        while (streamed < STREAM_BYTES && !res.destroyed) {
          streamed += chunk.length
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        if (!res.destroyed) res.end()
      }
      res.on('close', () => res.removeAllListeners('drain'))
      pump()
    },
    '/bomb': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb) }
  })
  try {
    const json = tempFile('huge.json')
    let peak = 0
    const run = await runCli(['--every', '10ms', '--polls', '2', '--max-bytes', String(MAX_BYTES), '--json', json, `${server.base}/endless`, `${server.base}/bomb`], child => {
      const timer = setInterval(() => { peak = Math.max(peak, peakRssBytes(child.pid!) ?? 0) }, 10)
      child.on('exit', () => clearInterval(timer))
    })
    assert.equal(run.code, 0, run.stderr)
    const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult
    assert.deepEqual(result.resources.map(r => r.problems.map(p => p.kind)), [['too-large'], ['too-large']])
    t.diagnostic(`child peak RSS ${(peak / 1048576).toFixed(0)} MiB; server streamed ${(streamed / 1048576).toFixed(1)} MiB`)
    assert.ok(peak > 0, 'peak memory was read')
    // A Node process with undici and the codecs loaded stays well under 200 MiB; one
    // 256 MiB body held in memory would not.
    assert.ok(peak < 200 * 1024 * 1024, `peak RSS ${(peak / 1048576).toFixed(0)} MiB`)
    assert.ok(streamed < 64 * 1024 * 1024, `the server streamed ${(streamed / 1048576).toFixed(0)} MiB before the client hung up`)
  } finally {
    await server.close()
  }
})
