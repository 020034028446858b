import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryVersionStore } from '@coilgun/core'
import type { VersionStore } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'
import { createRedisVersionStore } from '@coilgun/redis'
import type { RedisVersionStore } from '@coilgun/redis'
import { REDIS_SERVER_MISSING, redisServerAvailable, RedisServer } from '@coilgun/fixtures/redisServer'
import { parseBenchArgs } from './benchArgs.ts'
import { BENCHMARKS_MD, runBench } from './benchMain.ts'
import { writeBlock } from './benchmarksFile.ts'
import { describeMachine } from './machine.ts'
import type { ReplayResult, ReplaySet } from './redisHitRateReplay.ts'
import { replaySet } from './redisHitRateReplay.ts'
import { runKey } from './resultsFile.ts'
import type { ContenderKey, RedisHitRateReport, SetResults } from './redisHitRateReport.ts'
import { CONTENDERS, renderRedisHitRate } from './redisHitRateReport.ts'
import { syntheticBanner } from './syntheticBanner.ts'

// The Redis hit-rate benchmark (issue 6): delta hit rate and upstream bytes of two
// origin instances behind a round-robin, with an embedded store each (the peer)
// and with one shared Redis, over a replay of the corpus; one instance alone is
// shown as the ceiling. Progress goes to stderr, the Markdown report to stdout;
// `--write` records it in BENCHMARKS.md (one block per Node major version).

const benchDir = dirname(fileURLToPath(import.meta.url))
const USAGE = 'usage: node --import tsx redisHitRate.ts [--quick] [--write] [--corpus DIR]'
/** Store log lines go with the progress, to stderr: stdout carries only the report. */
const STDERR_LOGGER = Object.freeze({
  warn: function warn (_obj: object, msg: string) { process.stderr.write(`${msg}\n`) },
  info: function info (_obj: object, msg: string) { process.stderr.write(`${msg}\n`) }
})
/** Versions per set with `--quick`. */
const QUICK_VERSIONS = 6

async function loadSets (values: { readonly quick: boolean, readonly corpus?: string }): Promise<{ sets: ReplaySet[], source: string, synthetic: boolean }> {
  // corpus.ts reads COILGUN_CORPUS when first imported.
  if (values.corpus !== undefined) process.env.COILGUN_CORPUS = values.corpus
  const { corpusAvailable, corpusDir, CORPUS_MISSING, listCorpusSets, readVersions } = await import('@coilgun/fixtures/corpus')
  const limit = values.quick ? QUICK_VERSIONS : Infinity
  if (!corpusAvailable()) {
    return { sets: [{ name: 'synthetic-html', contentType: 'text/html; charset=utf-8', versions: syntheticVersions(values.quick ? QUICK_VERSIONS : 30, 150_000) }], source: CORPUS_MISSING, synthetic: true }
  }
  const sets = listCorpusSets().map(set => ({
    name: set.name,
    contentType: set.files[0]!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8',
    versions: readVersions(set, limit)
  }))
  return { sets, source: corpusDir, synthetic: false }
}

async function main (): Promise<void> {
  const values = parseBenchArgs(process.argv.slice(2), { write: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, corpus: { type: 'string' } }, USAGE)
  if (!redisServerAvailable()) {
    console.error(REDIS_SERVER_MISSING)
    process.exitCode = 1
    return
  }
  const { sets, source, synthetic } = await loadSets(values)
  if (synthetic) console.error(syntheticBanner(source))
  const server = await RedisServer.start()
  const redisReads = { lruHits: 0, redisHits: 0, misses: 0, errors: 0 }
  const redisStores: RedisVersionStore[] = []
  const results: SetResults[] = []
  try {
    for (const set of sets) {
      const byContender: Partial<Record<ContenderKey, ReplayResult>> = {}
      for (const contender of CONTENDERS) {
        const stores: VersionStore[] = []
        for (let i = 0; i < contender.instances; i++) {
          if (contender.redis) {
            // One prefix per set: each replay starts from an empty shared store.
            const store = createRedisVersionStore({ url: server.url, prefix: `bench:${set.name}:`, logger: STDERR_LOGGER })
            if (!await store.ready()) throw new Error(`could not connect to ${server.url}`)
            redisStores.push(store)
            stores.push(store)
          } else {
            stores.push(new MemoryVersionStore())
          }
        }
        try {
          byContender[contender.key] = await replaySet(set, stores)
        } finally {
          await Promise.all(stores.filter(s => s instanceof MemoryVersionStore).map(s => s.close()))
        }
        process.stderr.write(`${set.name}: ${contender.name}: ${byContender[contender.key]!.deltas} deltas of ${set.versions.length - 1}\n`)
      }
      results.push({ name: set.name, results: byContender as Record<ContenderKey, ReplayResult> })
    }
  } finally {
    const stats = redisStores.map(s => s.stats())
    await Promise.all(redisStores.map(s => s.close()))
    await server.stop()
    redisReads.lruHits = stats.reduce((a, s) => a + s.lruHits, 0)
    redisReads.redisHits = stats.reduce((a, s) => a + s.redisHits, 0)
    redisReads.misses = stats.reduce((a, s) => a + s.misses, 0)
    redisReads.errors = stats.reduce((a, s) => a + s.errors, 0)
  }
  const report: RedisHitRateReport = { machine: describeMachine(), source: relativeSource(source, synthetic), synthetic, quick: values.quick, sets: results, redisReads }
  const markdown = renderRedisHitRate(report)
  console.log(markdown)
  if (values.write) {
    if (synthetic || values.quick) {
      console.error('not recorded: --write needs the corpus and a full run (no --quick)')
      process.exitCode = 1
      return
    }
    writeBlock(BENCHMARKS_MD, 'redis', runKey(process.versions.node), markdown)
    console.error(`recorded in ${BENCHMARKS_MD}`)
  }
}

function relativeSource (source: string, synthetic: boolean): string {
  if (synthetic) return source
  const repoParent = resolve(benchDir, '..', '..')
  return source.startsWith(repoParent + '/') ? `../${source.slice(repoParent.length + 1)}` : source
}

runBench('redis hit-rate bench', main)
