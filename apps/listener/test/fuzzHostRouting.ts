import assert from 'node:assert/strict'
import fc from 'fast-check'
import { loadListenerConfig } from '../src/config.ts'
import { OriginPools } from '../src/originPools.ts'
import type { FuzzTarget } from '@coilgun/fixtures/fuzzTarget'
import { count, runParameters } from '@coilgun/fixtures/fuzzTarget'

// The listener's host map (issue 5) decides which origin a request reaches. Fed any
// Host value (random, or a mapped name decorated with ports, dots, case, `@`,
// backslashes, brackets, percent signs), `route` must return a route of the map or
// none; an exact route only for its own name (any case, a port, a trailing dot);
// and every mapped name must still find its route.

const SECRET = 'fuzz-secret-0123456789abcdef'
const MAPPED = ['www.example.test', 'api.example.test', 'example.test', 'a-b.c', '10.0.0.5']
const DECORATIONS = ['', ':8080', ':', '.', '.:443', ':abc', '@evil.test', '\\@evil.test', '/evil', '#', '?x', '%2e', '..', ' ', '\t', '\u0000', ']', '[', ':80@127.0.0.1']
const PREFIXES = ['', 'evil.', 'evil@', 'x', '.', '[', ' ', 'evil.test:80@', '\\\\', 'www.']

function escapeRegExp (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export async function hostRoutingFuzz (): Promise<FuzzTarget> {
  const pools = new Map<boolean, OriginPools>()
  for (const withDefault of [false, true]) {
    const entries = MAPPED.map((host, i) => `${host}=http://127.0.0.1:${20000 + i}`)
    if (withDefault) entries.push('default=http://127.0.0.1:29999')
    pools.set(withDefault, new OriginPools(loadListenerConfig({ COILGUN_ORIGINS: entries.join(','), COILGUN_SECRET: SECRET })))
  }
  const exact = new Map<boolean, Map<object, string>>()
  for (const [withDefault, p] of pools) {
    const byRoute = new Map<object, string>()
    for (const host of MAPPED) byRoute.set(p.route(host)!, host)
    exact.set(withDefault, byRoute)
  }

  const cased = (s: string): fc.Arbitrary<string> => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map(flags => [...s].map((c, i) => flags[i] === true ? c.toUpperCase() : c).join(''))
  const maybe = (list: readonly string[]): fc.Arbitrary<string> => fc.oneof(fc.constant(''), fc.constantFrom(...list))
  const decorated = fc.tuple(maybe(PREFIXES), fc.constantFrom(...MAPPED).chain(cased), maybe(DECORATIONS), maybe(DECORATIONS))
    .map(([prefix, host, d1, d2]) => `${prefix}${host}${d1}${d2}`)
  const hostHeader = fc.oneof(
    { weight: 4, arbitrary: decorated },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcwexmpl.-:[]@\\/%0123456789 '.split('')), maxLength: 40 }) },
    { weight: 1, arbitrary: fc.ipV6().map(ip => `[${ip}]:${8080}`) },
    { weight: 1, arbitrary: fc.ipV4() },
    { weight: 1, arbitrary: fc.constant(undefined) }
  )

  const outcomes = new Map<string, number>()
  const property = fc.property(hostHeader, fc.boolean(), (header, withDefault) => {
    const p = pools.get(withDefault)!
    const route = p.route(header)
    const named = route === undefined ? undefined : exact.get(withDefault)!.get(route)
    count(outcomes, route === undefined ? 'misdirected' : named === undefined ? 'default' : 'exact')
    if (route === undefined) {
      assert.equal(withDefault, false, 'with a default entry every Host has a route')
      return
    }
    if (named === undefined) {
      assert.equal(withDefault, true, 'a route outside the exact entries can only be the default')
      assert.equal(route.url, 'http://127.0.0.1:29999')
      return
    }
    // An exact route: the Host names that host and nothing else.
    const normalized = (header ?? '').trim().toLowerCase()
    assert.match(normalized, new RegExp(`^${escapeRegExp(named)}\\.?(:[^:]*)?$`), `Host ${JSON.stringify(header)} reached ${named}`)
  })
  const complete = fc.property(fc.constantFrom(...MAPPED).chain(cased), fc.constantFrom('', ':1', ':65535', '.', '.:80', ' '), fc.boolean(), (host, suffix, withDefault) => {
    const route = pools.get(withDefault)!.route(`${host}${suffix}`)
    assert.equal(route === undefined ? undefined : exact.get(withDefault)!.get(route), host.toLowerCase(), `${host}${suffix} lost its route`)
  })
  return {
    name: 'listener host routing',
    outcomes,
    run (numRuns: number, seed?: number) {
      fc.assert(property, runParameters(numRuns, seed))
      fc.assert(complete, runParameters(Math.max(1, numRuns >> 2), seed))
    },
    async close () {
      await Promise.all([...pools.values()].map(p => p.close()))
    }
  }
}
