import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// process.exit() can deadlock Node 24/26 at exit while a WebAssembly tier-up job runs
// (nodejs/node#54918): `coilgun-sender --check` hung in CI. exitWhenIdle lets the loop
// empty instead, and still ends a process that something keeps alive.

const exitProcess = fileURLToPath(new URL('../src/exitProcess.ts', import.meta.url))

function run (body: string): { status: number | null, stdout: string } {
  const script = `import { exitWhenIdle } from ${JSON.stringify(exitProcess)}\n${body}`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stdout: r.stdout }
}

test('with nothing left open the process exits with the code once its loop is empty, running what is still queued', () => {
  const r = run("exitWhenIdle(3, 60_000); setTimeout(() => console.log('queued work ran'), 50)")
  assert.equal(r.status, 3)
  assert.equal(r.stdout.trim(), 'queued work ran', 'the exit waits for the loop, unlike process.exit()')
})

test('a handle left open does not keep the process alive past the backstop', () => {
  const r = run("import { createServer } from 'node:net'\ncreateServer().listen(0, '127.0.0.1', () => { exitWhenIdle(4, 200); console.log('listening') })")
  assert.equal(r.status, 4)
  assert.equal(r.stdout.trim(), 'listening')
})
