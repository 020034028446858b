import { spawnSync } from 'node:child_process'

/** True when `name` runs (used to skip interop tests with a message naming the tool). */
export function hasTool (name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' })
  return r.error === undefined
}
