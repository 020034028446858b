import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ERR_ESTIMATE_OUTPUT } from './errors.ts'

// `--save FOLDER`: the polled versions as snapshots, in the layout `--dir` reads
// (one sub-folder per URL, `0001.html`, `0002.html`, … in the order seen, and a
// `.url` file naming the URL). Every body that starts a new version in the
// sequence is written, the return to an earlier version included, so that
// `coilgun-estimate --dir FOLDER` later replays exactly the changes that were polled.

/** Longest sub-folder name made from a URL. */
const MAX_SLUG = 96
/** File holding the URL a saved sub-folder came from (a dot file: never a version). */
export const URL_FILE = '.url'

/** File extension for a saved version, from its media type. */
export function extensionFor (contentType: string): string {
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type === 'text/html' || type === 'application/xhtml+xml') return '.html'
  if (type === 'application/json' || type.endsWith('+json')) return '.json'
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return '.xml'
  if (type === 'text/css') return '.css'
  if (type.endsWith('javascript') || type.endsWith('ecmascript')) return '.js'
  return '.txt'
}

export class VersionSaver {
  readonly #root: string
  readonly #folders = new Map<string, { dir: string, count: number }>()
  readonly #used = new Set<string>()

  /** Refuses a folder that already holds files: saved sequences must not mix. */
  constructor (root: string) {
    try {
      if (existsSync(root) && readdirSync(root).length > 0) throw new Error('the folder is not empty')
      mkdirSync(root, { recursive: true })
    } catch (err) {
      throw new ERR_ESTIMATE_OUTPUT(root, (err as Error).message)
    }
    this.#root = root
  }

  #folderFor (url: URL): { dir: string, count: number } {
    const known = this.#folders.get(url.href)
    if (known !== undefined) return known
    const base = `${url.host}${url.pathname}${url.search}`.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, MAX_SLUG) || 'resource'
    let name = base
    for (let n = 2; this.#used.has(name); n++) name = `${base}-${n}`
    this.#used.add(name)
    const dir = join(this.#root, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, URL_FILE), `${url.href}\n`)
    const folder = { dir, count: 0 }
    this.#folders.set(url.href, folder)
    return folder
  }

  /** Writes the next version of `url`; throws a plain error (the caller reports it per URL). */
  save (url: URL, body: Uint8Array, contentType: string): void {
    const folder = this.#folderFor(url)
    folder.count++
    writeFileSync(join(folder.dir, `${String(folder.count).padStart(4, '0')}${extensionFor(contentType)}`), body)
  }
}
