import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'

/** True when `name` runs (used to skip interop tests with a message naming the tool). */
export function hasTool (name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' })
  return r.error === undefined
}

/**
 * Deterministic page-like versions: a sequence of lines where each version changes
 * a few of them, so deltas are small, as between two versions of a real page.
 */
export function syntheticVersions (count: number, size: number): Buffer[] {
  const lines: string[] = []
  let n = 0
  // Length of lines.join('\n'), kept as we go: multi-MB pages stay linear to build.
  let joinedLength = -1
  while (joinedLength < size) {
    const line = `<li data-id="${n}">${createHash('sha256').update(String(n)).digest('hex')} item ${n}</li>`
    lines.push(line)
    joinedLength += line.length + 1
    n++
  }
  const versions: Buffer[] = []
  for (let v = 0; v < count; v++) {
    for (let k = 0; k < 5; k++) {
      const at = (v * 7919 + k * 104729) % lines.length
      lines[at] = `<li data-id="${at}">changed in version ${v} ${createHash('sha256').update(`${v}:${k}`).digest('base64')}</li>`
    }
    versions.push(Buffer.from(lines.join('\n')))
  }
  return versions
}
