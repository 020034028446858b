import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { BIN, replayRoute, runCli, runCommand, startServer, syntheticVersions } from './support.ts'

// Issue 19: while polling, a progress bar (cli-progress) shows the time left and the
// versions seen, on a terminal only: with stdout on a pipe the output is the report
// alone. The terminal is a pseudo-terminal made by util-linux `script`.

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).error === undefined

test('the progress bar is drawn on a terminal and not on a pipe', { skip: hasScript ? false : 'util-linux `script` not found (needed for a pseudo-terminal)' }, async () => {
  const page = { name: 'page', ext: '.html', versions: syntheticVersions(20, 5_000, 't') }
  const server = await startServer({ '/page': replayRoute(page) })
  try {
    const args = ['--every', '100ms', '--for', '1500ms', `${server.base}/page`]
    const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`
    const tty = await runCommand('script', ['-qefc', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'])
    assert.equal(tty.code, 0, tty.stderr)
    assert.match(tty.stdout, /\d+% \| \d+m?s left \| versions seen: [1-9]\d*, changes: \d+, problems: 0/)
    assert.match(tty.stdout, /bytes per change/)

    const piped = await runCli(args)
    assert.equal(piped.code, 0, piped.stderr)
    assert.doesNotMatch(piped.stdout, /versions seen:|left \|/)
    assert.ok(!piped.stdout.includes('\u001b['))
    assert.match(piped.stdout, /bytes per change/)
  } finally {
    await server.close()
  }
})
