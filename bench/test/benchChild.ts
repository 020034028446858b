import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ResultsFile } from '../resultsFile.ts'
import { runKey } from '../resultsFile.ts'

// The *-bench-runs tests start a bench in its own process, as it is run by hand, and
// read the raw results it leaves.

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** A corpus folder that does not exist: the bench falls back to synthetic versions. */
export const NO_CORPUS = join(tmpdir(), 'coilgun-no-such-corpus')

/** `node --import tsx <script> --quick ...args` in bench/, to its end or `timeoutMs`. */
export function runQuick (script: string, args: readonly string[], timeoutMs: number): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--quick', ...args], { cwd: benchDir, encoding: 'utf8', timeout: timeoutMs })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A run without the corpus succeeds on synthetic versions, says so on stderr and in the report, and prints `row`. */
export function assertSyntheticRun (r: ReturnType<typeof runQuick>, row: RegExp): void {
  assert.equal(r.status, 0, `bench failed:\n${r.stderr}`)
  assert.match(r.stderr, /SYNTHETIC/)
  assert.match(r.stdout, /SYNTHETIC DATA/)
  assert.match(r.stdout, row)
}

/** `name` in a temporary folder that is removed after the test. */
export function tempFile (t: TestContext, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-bench-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, name)
}

/** The run of this Node major version in a results file. */
export function readRun<R> (file: string): R | undefined {
  return (JSON.parse(readFileSync(file, 'utf8')) as ResultsFile<R>).runs[runKey(process.versions.node)]
}
