import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { EstimateResult } from '@coilgun/estimate'
import { replayRoute, runCli, startServer, syntheticVersions, tempFile, writeSetsToDir } from './support.ts'

// Issue 19: Ctrl-C in the middle of a long run (SIGINT to the child process) stops
// polling at once, even with a request hanging, prints the table of what was
// measured, writes --json and --report with it, and exits with status 130.

test('SIGINT mid-run prints and writes the report so far and exits 130', async () => {
  const page = { name: 'page', ext: '.html', versions: syntheticVersions(200, 20_000, 'c') }
  const server = await startServer({ '/page': replayRoute(page), '/hang': () => { /* never answers */ } })
  try {
    const json = tempFile('interrupted.json')
    const html = tempFile('interrupted.html')
    let sentAtMs = 0
    const run = await runCli(['--every', '20ms', '--for', '10m', '--timeout', '10m', '--json', json, '--report', html, `${server.base}/page`, `${server.base}/hang`], child => {
      const poll = setInterval(() => {
        if (server.log.filter(r => r.path === '/page').length >= 6) {
          clearInterval(poll)
          sentAtMs = Date.now()
          child.kill('SIGINT')
        }
      }, 10)
    })
    const tookMs = Date.now() - sentAtMs
    assert.equal(run.code, 130, run.stderr)
    assert.ok(tookMs < 15_000, `exited ${tookMs} ms after SIGINT`)
    assert.match(run.stdout, /Interrupted \(Ctrl-C\)/)
    assert.match(run.stdout, /bytes per change/)

    const served = server.log.filter(r => r.path === '/page').length
    const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult
    assert.equal(result.interrupted, true)
    const measured = result.resources[0]!
    // Every poll that got its answer before the signal is kept (the one in flight
    // when it came may be dropped); each of them was a change.
    assert.ok(measured.versionsSeen >= served - 1 && measured.versionsSeen <= served, `${measured.versionsSeen} versions of ${served} served`)
    assert.equal(measured.changes, measured.versionsSeen - 1)
    assert.equal(measured.changeList.length, measured.changes)
    assert.ok((measured.methods['link-vcdiff']?.total ?? 0) > 0)
    assert.equal(result.resources[1]!.versionsSeen, 0)
    assert.match(readFileSync(html, 'utf8'), /interrupted: figures measured until then/)
  } finally {
    await server.close()
  }
})

/** CPU time the process has used, in ms (utime + stime from /proc, at 100 ticks per second). */
function cpuMs (pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

test('SIGINT while reading a large --dir stops between two files and reports what was read', { skip: cpuMs(process.pid) === undefined ? 'needs /proc to follow the child\'s CPU time' : false }, async () => {
  const versions = 200
  const dir = writeSetsToDir([{ name: 'big', ext: '.html', versions: syntheticVersions(versions, 100_000, 'd') }])
  // The whole run first, to send the signal once the child has used half its CPU
  // time: unlike wall time, that does not shift with how loaded the machine is.
  let wholeCpuMs = 0
  const whole = await runCli(['--dir', dir], child => {
    const timer = setInterval(() => { wholeCpuMs = Math.max(wholeCpuMs, cpuMs(child.pid!) ?? 0) }, 10)
    child.on('exit', () => clearInterval(timer))
  })
  assert.equal(whole.code, 0, whole.stderr)
  const json = tempFile('dir-interrupted.json')
  const run = await runCli(['--dir', dir, '--json', json], child => {
    const timer = setInterval(() => {
      if ((cpuMs(child.pid!) ?? 0) >= wholeCpuMs / 2) {
        clearInterval(timer)
        child.kill('SIGINT')
      }
    }, 10)
    child.on('exit', () => clearInterval(timer))
  })
  assert.equal(run.code, 130, `exit ${run.code}; whole run ${wholeCpuMs} ms of CPU; ${run.stderr}`)
  assert.match(run.stdout, /Interrupted \(Ctrl-C\)/)
  const result = JSON.parse(readFileSync(json, 'utf8')) as EstimateResult
  assert.equal(result.interrupted, true)
  const r = result.resources[0]!
  assert.ok(r.changes >= 1 && r.changes < versions - 1, `${r.changes} changes of ${versions - 1} measured (whole run ${wholeCpuMs} ms of CPU)`)
  assert.equal(r.changes, r.versionsSeen - 1)
  assert.equal(r.attempts, r.versionsSeen)
})
