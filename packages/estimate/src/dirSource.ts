import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import type { ChangeMeasurer } from './changeMeasurer.ts'
import { ERR_ESTIMATE_INPUT } from './errors.ts'
import { ResourceTally } from './resourceTally.ts'
import { URL_FILE } from './versionSaver.ts'

// `--dir FOLDER`: saved versions instead of polling. A folder of files is one
// resource; a folder of sub-folders is one resource per sub-folder (the layout of
// the shared corpus: `<set>/0001.html, 0002.html, …`). Versions are the files in
// name order (numbers compared as numbers, so 2 comes before 10). Only files with
// the folder's most common extension count, so a `manifest.tsv` beside `0001.html…`
// is skipped (and listed), as are dot files.

export interface DirResource {
  /** The sub-folder's name, or the folder's own name. */
  name: string
  files: readonly string[]
  /** Files left out because their extension is not the versions' one. */
  skipped: readonly string[]
  /** The URL the versions were polled from, when `--save` wrote them (its `.url` file). */
  url: URL | undefined
}

const byName = new Intl.Collator('en', { numeric: true }).compare

function entries (dir: string): Array<{ name: string, path: string, isDir: boolean, isFile: boolean }> {
  return readdirSync(dir, { withFileTypes: true })
    .filter(e => !e.name.startsWith('.'))
    .map(e => {
      const path = join(dir, e.name)
      // Follow symbolic links: a snapshot folder is often a link to where they are kept.
      const s = e.isSymbolicLink() ? statSync(path) : e
      return { name: e.name, path, isDir: s.isDirectory(), isFile: s.isFile() }
    })
    .sort((a, b) => byName(a.name, b.name))
}

function versionFiles (name: string, dir: string): DirResource {
  const files = entries(dir).filter(e => e.isFile)
  const counts = new Map<string, number>()
  for (const f of files) counts.set(extname(f.name), (counts.get(extname(f.name)) ?? 0) + 1)
  let ext = ''
  let most = -1
  for (const [e, n] of counts) if (n > most) [ext, most] = [e, n]
  let url: URL | undefined
  try {
    if (existsSync(join(dir, URL_FILE))) url = new URL(readFileSync(join(dir, URL_FILE), 'utf8').trim())
  } catch {
    url = undefined
  }
  return {
    name,
    url,
    files: files.filter(f => extname(f.name) === ext).map(f => f.path),
    skipped: files.filter(f => extname(f.name) !== ext).map(f => f.name)
  }
}

/** The resources in `dir`; throws COILGUN_ERR_ESTIMATE_INPUT when it cannot be read or holds nothing. */
export function listDirResources (dir: string): DirResource[] {
  const root = resolve(dir)
  let top
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a folder')
    top = entries(root)
  } catch (err) {
    throw new ERR_ESTIMATE_INPUT(dir, (err as Error).message)
  }
  const folders = top.filter(e => e.isDir)
  const resources = folders.length > 0
    ? folders.map(f => versionFiles(f.name, f.path))
    : [versionFiles(basename(root), root)]
  if (resources.every(r => r.files.length === 0)) throw new ERR_ESTIMATE_INPUT(dir, 'no version files found (expected files, or one sub-folder of files per resource)')
  return resources
}

/** Tallies for the resources, in the order they will be read. */
export function dirTallies (resources: readonly DirResource[]): ResourceTally[] {
  // Saved by --save: the URL's own names, so the figures are those of polling it.
  // Otherwise `/<name>` is the path a server replaying the folder would serve it at.
  return resources.map(r => r.url === undefined
    ? new ResourceTally(r.name, r.name, `/${r.name}`)
    : new ResourceTally(r.url.href, `${r.url.host}${r.url.pathname}${r.url.search}`, r.url.pathname))
}

/**
 * Reads and measures the versions one file at a time (one resource after another,
 * each file read only when needed), stopping between two files when `signal` aborts.
 */
export async function measureDir (resources: readonly DirResource[], tallies: readonly ResourceTally[], measurer: ChangeMeasurer, maxBytes: number, signal: AbortSignal, onUpdate: () => void): Promise<void> {
  for (const [i, resource] of resources.entries()) {
    const tally = tallies[i]!
    if (resource.files.length === 0) tally.addProblem('no-versions', 'no version files')
    for (const file of resource.files) {
      if (signal.aborted) return
      tally.attempts++
      let size: number
      try {
        size = statSync(file).size
      } catch (err) {
        tally.addProblem('unreadable', `${basename(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
        continue
      }
      if (size > maxBytes) {
        tally.addProblem('too-large', `${basename(file)}: more than ${maxBytes} bytes`)
        continue
      }
      let body: Buffer
      try {
        body = await readFile(file)
      } catch (err) {
        tally.addProblem('unreadable', `${basename(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
        continue
      }
      await tally.addVersion(body, measurer, undefined)
      onUpdate()
    }
  }
}
