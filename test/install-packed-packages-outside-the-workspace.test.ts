import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { request } from 'undici'

// Issue 15: what a user gets from the packages, not what works inside the clone. The
// release command packs every public package; a fresh project in a temporary folder
// installs the tarballs with plain npm (no pnpm, no workspace, no links), and from
// there the plugin, the middleware, the installed coilgun-sender and coilgun-listener
// commands serve a delta, and the README's TypeScript snippets compile under strict
// without skipLibCheck. One install is shared by every case.

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const SECRET = 'installed-packages-secret-0123456789'
const PACKAGES = ['core', 'service', 'redis', 'fastify', 'express', 'sender', 'listener', 'status', 'estimate']

/** A user's shell: without the npm_* and pnpm_* settings `pnpm run test` adds. */
const shellEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name)))

let work = ''
let project = ''
let tarballFiles: string[] = []

/** The range the workspace's catalog gives a dependency, so the project installs what we test with. */
function catalogRange (name: string): string {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
  const m = new RegExp(`^\\s+"?${name.replace(/[/@]/g, c => `\\${c}`)}"?:\\s*(\\S+)\\s*$`, 'm').exec(yaml)
  assert.ok(m, `catalog has ${name}`)
  return `${name}@${m[1]!}`
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'coilgun-installed-'))
  const tarballs = join(work, 'tarballs')
  const { stdout } = await run(process.execPath, [join(root, 'scripts', 'pack.mjs'), tarballs], { cwd: root, maxBuffer: 16 << 20 })
  const files = stdout.trim().split('\n')
  tarballFiles = files
  assert.deepEqual(files.map(f => /coilgun-(\w+)-[\d.]+\.tgz$/.exec(f)?.[1]).sort(), [...PACKAGES].sort())

  project = join(work, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'coilgun-user', private: true, type: 'module' }))
  cpSync(join(root, 'test', 'support', 'installedProject'), project, { recursive: true })
  const deps = ['fastify', 'express', 'compression', '@types/node', '@types/express', '@types/compression'].map(catalogRange)
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files, ...deps], {
    cwd: project,
    env: { ...shellEnv, npm_config_update_notifier: 'false' },
    maxBuffer: 16 << 20
  })
})

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true })
})

test('each tarball carries README, LICENSE, the registry metadata and real version ranges, and no tests', async () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8')
  assert.match(license, /^MIT License/)
  for (const file of tarballFiles) {
    const entries = (await run('tar', ['-tzf', file])).stdout.split('\n').filter(Boolean)
    const manifest = JSON.parse((await run('tar', ['-xzOf', file, 'package/package.json'])).stdout) as Record<string, unknown>
    for (const needed of ['package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts']) assert.ok(entries.includes(needed), `${file}: ${needed}`)
    assert.ok(entries.every(e => /^package\/(bin|dist|src)\/|^package\/(package\.json|README\.md|LICENSE)$/.test(e) && !/\.test\.|\/test\//.test(e)), `${file}: ${entries.join(', ')}`)
    assert.equal((await run('tar', ['-xzOf', file, 'package/LICENSE'])).stdout, license)
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'engines', 'types']) assert.ok(manifest[field] !== undefined, `${file}: ${field}`)
    assert.match(JSON.stringify(manifest.repository), /https:\/\/github\.com\/coilgun\/coilgun/)
    const ranges = Object.values({ ...manifest.dependencies as object, ...manifest.peerDependencies as object }) as string[]
    assert.ok(ranges.every(r => /^[\^~]?\d|\|\|/.test(r)), `${file}: ${ranges.join(', ')}`)
  }
})

/** Children started by a case, stopped with SIGTERM at its end; their exit codes. */
async function stopAll (children: ChildProcess[]): Promise<Array<number | null>> {
  return Promise.all(children.reverse().map(child => new Promise<number | null>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(child.exitCode); return }
    child.once('exit', code => resolve(code))
    child.kill('SIGTERM')
  })))
}

/** Starts a program of the installed project and resolves with the URL it logs. */
async function start (children: ChildProcess[], command: string, args: string[], env: Record<string, string>): Promise<string> {
  // The installed bins run with `#!/usr/bin/env node`: this test's Node first on the PATH.
  const child = spawn(command, args, {
    cwd: project,
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, COILGUN_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.push(child)
  let err = ''
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  return new Promise<string>((resolve, reject) => {
    let out = ''
    function onData (d: Buffer): void {
      out += d.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)
      if (m === null) return
      child.stdout!.off('data', onData)
      child.off('exit', onExit)
      child.stdout!.resume()
      resolve(m[1]!)
    }
    function onExit (code: number | null): void { reject(new Error(`${command} exited with ${code}: ${out}${err}`)) }
    child.stdout!.on('data', onData)
    child.once('exit', onExit)
  })
}

const bin = (name: string): string => join(project, 'node_modules', '.bin', name)

function senderEnv (upstream: string): Record<string, string> {
  return { COILGUN_UPSTREAM: upstream, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'info', COILGUN_DIAGNOSTIC_HEADER: 'on' }
}

/** Two visits through the sender: the first is full, the second (the page changed) a delta, and both bodies are the origin's. */
async function assertSecondVisitIsADelta (senderUrl: string): Promise<void> {
  const { page } = await import(join(project, 'page.mjs')) as { page: (n: number) => string }
  const answers: Array<{ diagnostic: string, body: string }> = []
  for (let i = 0; i < 2; i++) {
    const res = await request(`${senderUrl}/`, { headers: { 'accept-encoding': 'identity' } })
    assert.equal(res.statusCode, 200)
    answers.push({ diagnostic: String(res.headers.coilgun), body: await res.body.text() })
  }
  assert.match(answers[0]!.diagnostic, /^full;/)
  assert.equal(answers[0]!.body, page(1))
  assert.match(answers[1]!.diagnostic, /^delta; codec=/)
  assert.equal(answers[1]!.body, page(2))
  const up = Number(/up=(\d+)/.exec(answers[1]!.diagnostic)?.[1])
  assert.ok(up < page(2).length / 10, `the delta carried ${up} bytes for a ${page(2).length}-byte page`)
}

test('a Fastify app with the installed plugin, behind the installed coilgun-sender, answers the second visit with a delta', async () => {
  const children: ChildProcess[] = []
  try {
    const origin = await start(children, process.execPath, ['fastify-origin.mjs'], {})
    const sender = await start(children, bin('coilgun-sender'), [], senderEnv(origin))
    await assertSecondVisitIsADelta(sender)
  } finally {
    assert.deepEqual(await stopAll(children), [0, 0], 'SIGTERM stops the sender and the origin with exit 0')
  }
})

test('an Express app with the installed middleware, behind the installed coilgun-sender, answers the second visit with a delta', async () => {
  const children: ChildProcess[] = []
  try {
    const origin = await start(children, process.execPath, ['express-origin.mjs'], {})
    const sender = await start(children, bin('coilgun-sender'), [], senderEnv(origin))
    await assertSecondVisitIsADelta(sender)
  } finally {
    assert.deepEqual(await stopAll(children), [0, 0])
  }
})

test('the installed coilgun-listener in front of a plain origin answers the sender\'s second visit with a delta', async () => {
  const children: ChildProcess[] = []
  try {
    const origin = await start(children, process.execPath, ['plain-origin.mjs'], {})
    const listener = await start(children, bin('coilgun-listener'), [], { COILGUN_ORIGIN: origin, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'info' })
    const sender = await start(children, bin('coilgun-sender'), [], senderEnv(listener))
    await assertSecondVisitIsADelta(sender)
  } finally {
    assert.deepEqual(await stopAll(children), [0, 0, 0])
  }
})

test('`npx @coilgun/sender` and `npx @coilgun/listener`, as README says, run the installed commands', async () => {
  for (const [pkg, command] of [['@coilgun/sender', 'coilgun-sender'], ['@coilgun/listener', 'coilgun-listener']] as const) {
    // Without configuration each command stops at once with exit 1 and one line naming
    // the missing variable: proof that npx ran our command, not another package's.
    const result = await run('npx', ['--no-install', pkg], { cwd: project, env: { ...shellEnv, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' } })
      .then(() => ({ code: 0, stderr: '' }), (err: { code?: number, stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }))
    assert.equal(result.code, 1, `${pkg}: ${result.stderr}`)
    assert.match(result.stderr, new RegExp(`^${command}: COILGUN_`, 'm'))
  }
})

test('the installed coilgun-estimate reads saved versions (--dir) and writes the table, JSON and HTML report', async () => {
  const snapshots = join(project, 'snapshots', 'front')
  mkdirSync(snapshots, { recursive: true })
  const page = (v: number): string => `<html><body>${Array.from({ length: 400 }, (_, i) => `<p>item ${i} ${i === v * 7 ? `changed ${v}` : 'same'}</p>`).join('')}</body></html>`
  for (let v = 1; v <= 3; v++) writeFileSync(join(snapshots, `000${v}.html`), page(v))
  const { stdout } = await run(bin('coilgun-estimate'), ['--dir', join(project, 'snapshots'), '--json', join(project, 'estimate.json'), '--report', join(project, 'estimate.html')], { cwd: project, env: shellEnv })
  assert.match(stdout, /front/)
  const json = JSON.parse(readFileSync(join(project, 'estimate.json'), 'utf8')) as unknown
  assert.match(JSON.stringify(json), /vcdiff/)
  assert.match(readFileSync(join(project, 'estimate.html'), 'utf8'), /<svg/)
})

/** Every ```ts block of the main README and of each package's README, as a file of its own. */
function readmeSnippets (): Array<{ name: string, code: string }> {
  const readmes = ['README.md', ...['core', 'redis', 'fastify', 'express', 'status', 'estimate'].map(p => `packages/${p}/README.md`), 'apps/sender/README.md', 'apps/listener/README.md']
  return readmes.flatMap(file => [...readFileSync(join(root, file), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((m, i) => ({ name: `${file.replace(/\W+/g, '-')}-${i + 1}.ts`, code: m[1]! })))
}

test('the README snippets compile against the installed declarations under strict, with moduleResolution nodenext and bundler, without skipLibCheck', async () => {
  const snippets = readmeSnippets()
  assert.ok(snippets.length >= 6, `found ${snippets.length} snippets`)
  mkdirSync(join(project, 'snippets'))
  for (const s of snippets) writeFileSync(join(project, 'snippets', s.name), s.code.includes('import ') ? s.code : `${s.code}\nexport {}\n`)
  assert.deepEqual(readdirSync(join(project, 'snippets')).length, snippets.length)
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const settings = { nodenext: { module: 'nodenext', moduleResolution: 'nodenext' }, bundler: { module: 'preserve', moduleResolution: 'bundler' } }
  await Promise.all(Object.entries(settings).map(async ([name, resolution]) => {
    const config = join(project, `tsconfig.${name}.json`)
    writeFileSync(config, JSON.stringify({
      compilerOptions: { ...resolution, strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2023'], types: ['node'], noEmit: true },
      include: ['snippets/*.ts']
    }))
    const result = await run(process.execPath, [tsc, '-p', config], { cwd: project, maxBuffer: 16 << 20 })
      .then(() => ({ code: 0, output: '' }), (err: { code?: number, stdout?: string, stderr?: string }) => ({ code: err.code, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }))
    assert.equal(result.code, 0, `tsc with moduleResolution ${name}:\n${result.output}`)
  }))
})
