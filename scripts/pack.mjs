#!/usr/bin/env node
// The release command (issue 15): `node scripts/pack.mjs OUT_DIR` builds the workspace
// and writes one installable tarball per public package into OUT_DIR.
//
// `npm pack` would copy `workspace:*` and `catalog:` ranges into the tarball as they
// are, and npm cannot install those (`Unsupported URL Type "workspace:"`); `pnpm pack`
// replaces them with the real ranges, so this script drives pnpm and then checks
// every tarball it wrote: real ranges only, the metadata a registry page and an
// installer need, README and LICENSE, and nothing outside `bin/`, `dist/` and `src/`.
// It prints the tarballs' paths, one per line, on stdout.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outArg = process.argv[2]
if (outArg === undefined || outArg.startsWith('-')) {
  console.error('usage: node scripts/pack.mjs OUT_DIR')
  process.exit(2)
}
const outDir = resolve(outArg)
mkdirSync(outDir, { recursive: true })

/** Metadata every published package.json must carry (issue 15). */
const REQUIRED_FIELDS = ['name', 'version', 'description', 'license', 'repository', 'homepage', 'bugs', 'keywords', 'engines', 'types', 'exports', 'files']
/** The only top-level entries a tarball may hold besides these files. */
const ALLOWED_DIRS = new Set(['bin', 'dist', 'src'])
const ALLOWED_FILES = new Set(['package.json', 'README.md', 'LICENSE'])
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies']

/** The public packages: every workspace package under packages/ and apps/ not marked private. */
function publicPackages () {
  const found = []
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, 'package.json')
      if (!existsSync(file)) continue
      const manifest = JSON.parse(readFileSync(file, 'utf8'))
      if (manifest.private !== true) found.push({ dir: join(root, group, name), name: manifest.name, version: manifest.version })
    }
  }
  return found
}

function run (command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options })
  if (result.error) throw result.error
  if (result.status !== 0) {
    console.error(`pack: ${[command, ...args].join(' ')} exited with ${result.status ?? result.signal}`)
    process.exit(1)
  }
  return result.stdout
}

/** The tarball's file list and its package.json, read with the system tar. */
function readTarball (file) {
  const entries = run('tar', ['-tzf', file]).split('\n').filter(Boolean).map(e => e.replace(/^package\//, ''))
  const manifest = JSON.parse(run('tar', ['-xzOf', file, 'package/package.json']))
  return { entries, manifest }
}

function check (file, expected) {
  const { entries, manifest } = readTarball(file)
  const problems = []
  if (manifest.name !== expected.name) problems.push(`name is ${manifest.name}`)
  for (const field of REQUIRED_FIELDS) {
    if (manifest[field] === undefined) problems.push(`package.json has no "${field}"`)
  }
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog|link|file):/.test(String(range))) problems.push(`${field}.${dep} is "${range}"`)
    }
  }
  for (const needed of ['README.md', 'LICENSE', 'package.json', manifest.types?.replace(/^\.\//, '')]) {
    if (needed !== undefined && !entries.includes(needed)) problems.push(`${needed} is missing`)
  }
  for (const bin of Object.values(manifest.bin ?? {})) {
    if (!entries.includes(bin.replace(/^\.\//, ''))) problems.push(`bin ${bin} is missing`)
  }
  for (const entry of entries) {
    const top = entry.split('/')[0]
    if (entry.includes('/') ? !ALLOWED_DIRS.has(top) : !ALLOWED_FILES.has(entry)) problems.push(`unexpected file ${entry}`)
    if (/(^|\/)(test|__tests__)\/|\.test\.[cm]?[jt]s$|\.tsbuildinfo$/.test(entry)) problems.push(`test or build artefact ${entry}`)
  }
  // A dist/ file without its source is left over from a deleted module: it would
  // ship code nobody maintains.
  for (const entry of entries.filter(e => e.startsWith('dist/'))) {
    const source = entry.replace(/^dist\//, 'src/').replace(/\.(d\.ts|js)(\.map)?$/, '.ts')
    if (!existsSync(join(expected.dir, source))) problems.push(`${entry} has no source ${source} (stale build output)`)
  }
  if (problems.length > 0) {
    console.error(`pack: ${relative(root, file)}:\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
}

const packages = publicPackages()
// Build first: the tarballs carry dist/, which must match the sources.
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ...packages.map(p => relative(root, p.dir))], { stdio: ['ignore', 'inherit', 'inherit'] })
const filters = packages.flatMap(p => ['--filter', p.name])
run(process.execPath, [join(root, 'scripts', 'pnpm.mjs'), '--recursive', '--workspace-concurrency=1', ...filters, 'pack', '--pack-destination', outDir], { stdio: ['ignore', 'ignore', 'inherit'] })
for (const p of packages) {
  const file = join(outDir, `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`)
  if (!existsSync(file)) {
    console.error(`pack: pnpm pack wrote no ${file}`)
    process.exit(1)
  }
  check(file, p)
  console.log(file)
}
