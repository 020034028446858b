import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Shared by the estimate tests: version sets (read from the corpus at run time, or
// synthetic where it is absent; never committed), a local server that replays them
// as a changing site, a folder that holds them as saved snapshots, and the command
// itself run as a child process (the built bin/, as users run it).

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..', '..')
export const BIN = join(here, '..', 'bin', 'coilgun-estimate.js')

/** Folder of the corpus: $COILGUN_CORPUS, else ../shared/corpus beside the repository. */
export const corpusDir = process.env.COILGUN_CORPUS ?? resolve(repoRoot, '..', 'shared', 'corpus')

export interface VersionSet {
  name: string
  ext: string
  versions: Buffer[]
}

/**
 * Deterministic page-like versions where each changes a few lines, as between two
 * versions of a real page.
 */
export function syntheticVersions (count: number, size: number, seed: string): Buffer[] {
  const lines: string[] = []
  let n = 0
  while (lines.join('\n').length < size) {
    lines.push(`<li data-id="${n}">${createHash('sha256').update(`${seed}${n}`).digest('hex')} item ${n}</li>`)
    n++
  }
  const versions: Buffer[] = []
  for (let v = 0; v < count; v++) {
    for (let k = 0; k < 5; k++) {
      const at = (v * 7919 + k * 104729) % lines.length
      lines[at] = `<li data-id="${at}">changed in version ${v} ${createHash('sha256').update(`${seed}${v}:${k}`).digest('base64')}</li>`
    }
    versions.push(Buffer.from(lines.join('\n')))
  }
  return versions
}

/**
 * Two sets of `count` versions, in name order: the two smallest corpus sets when the corpus is
 * there (real pages), else two synthetic ones. Says which in `source`.
 */
export function testSets (count: number): { source: string, sets: VersionSet[] } {
  if (existsSync(corpusDir)) {
    const sets: VersionSet[] = []
    for (const name of ['calfire-incidents-json', 'caltech-libguides-home-html']) {
      const dir = join(corpusDir, name)
      if (!existsSync(dir)) continue
      const files = readdirSync(dir).filter(f => /^\d+\.[a-z0-9]+$/i.test(f)).sort().slice(0, count)
      if (files.length >= 2) sets.push({ name, ext: extname(files[0]!), versions: files.map(f => readFileSync(join(dir, f))) })
    }
    if (sets.length === 2) return { source: `corpus ${corpusDir}`, sets }
  }
  return {
    source: 'synthetic pages (corpus not found)',
    sets: [
      { name: 'api-list', ext: '.json', versions: syntheticVersions(count, 30_000, 'b') },
      { name: 'front-page', ext: '.html', versions: syntheticVersions(count, 60_000, 'a') }
    ]
  }
}

/** The sets as saved snapshots: `<dir>/<set>/0001<ext>…`, plus a manifest that must be skipped. */
export function writeSetsToDir (sets: readonly VersionSet[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-estimate-'))
  for (const set of sets) {
    mkdirSync(join(dir, set.name))
    set.versions.forEach((v, i) => writeFileSync(join(dir, set.name, `${String(i + 1).padStart(4, '0')}${set.ext}`), v))
    writeFileSync(join(dir, set.name, 'manifest.tsv'), 'version\tsize\n')
  }
  return dir
}

export interface RequestLog {
  path: string
  atMs: number
  userAgent: string | undefined
}

export interface TestServer {
  server: Server
  base: string
  log: RequestLog[]
  /** Requests in flight at most at once. */
  maxInFlight: number
  close (): Promise<void>
}

export type Route = (req: IncomingMessage, res: ServerResponse, hit: number) => void

/** A loopback server on port 0 whose routes get the number of the hit (0, 1, …). */
export async function startServer (routes: Record<string, Route>): Promise<TestServer> {
  const hits = new Map<string, number>()
  const state: TestServer = { server: undefined as unknown as Server, base: '', log: [], maxInFlight: 0, close: async () => {} }
  let inFlight = 0
  const server = createServer(function route (req, res) {
    const path = (req.url ?? '/').split('?')[0]!
    state.log.push({ path, atMs: Date.now(), userAgent: req.headers['user-agent'] })
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    res.on('close', () => { inFlight-- })
    const hit = hits.get(path) ?? 0
    hits.set(path, hit + 1)
    const handler = routes[path]
    if (handler === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here')
      return
    }
    handler(req, res, hit)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  state.server = server
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise<void>(resolve => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return state
}

/** Serves version i of a set on hit i (the last one after that), as a site that changes between polls. */
export function replayRoute (set: VersionSet): Route {
  const type = set.ext === '.json' ? 'application/json' : 'text/html; charset=utf-8'
  return function replay (_req, res, hit) {
    const body = set.versions[Math.min(hit, set.versions.length - 1)]!
    res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body)
  }
}

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs the command; `whileRunning` gets the child (to send it SIGINT). Resolves when
 * it exits; the test's own timeout bounds it.
 */
export function runCli (args: readonly string[], whileRunning?: (child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return runCommand(process.execPath, [BIN, ...args], whileRunning)
}

/** Runs any command without blocking this process (whose test servers must keep answering). */
export function runCommand (command: string, args: readonly string[], whileRunning?: (child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    whileRunning?.(child)
  })
}

export function tempFile (name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'coilgun-estimate-out-')), name)
}
