import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { FieldValue } from '../src/headers/index.ts'
import {
  acceptsEncoding,
  acceptsIm,
  formatEntityTag,
  negotiateEncoding,
  parseAIm,
  parseAcceptEncoding,
  parseAvailableDictionary,
  parseDeltaBase,
  parseEntityTag,
  parseIfNoneMatch,
  parseIm,
  parseReprDigest,
  parseSha256ReprDigest,
  strongTags
} from '../src/headers/index.ts'

// Every header parser runs per request on attacker-controlled input: whatever
// arrives, it must return its documented shape and never throw (malformed means absent).

const RUNS = 2000
const LOWER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const SF_KEY = /^[a-z*][a-z0-9_\-.*]*$/
const OFFERED = ['dcz', 'dcb', 'br', 'gzip', 'identity', 'GZIP']

// Characters that matter to the grammars, so random strings reach deep branches.
const SYNTAX_CHARS = [...'"\\,;=:*W/ \t()?@%-._aAzZ09+q'.split(''), '\u00e9', '\u0100', '\r', '\n', '\u0000', '\ud800']
const syntaxString = fc.string({ unit: fc.constantFrom(...SYNTAX_CHARS), maxLength: 300 })
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), syntaxString)
const stringArray = fc.array(anyString, { maxLength: 6 })

function mutated (samples: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.string({ unit: fc.constantFrom(...SYNTAX_CHARS), maxLength: 4 }))
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([base, edits]) => {
    let s = base
    for (const [at, remove, insert] of edits) {
      const p = at % (s.length + 1)
      s = s.slice(0, p) + insert + s.slice(p + remove)
    }
    return s
  })
}

function isBuffer32OrUndefined (result: unknown): void {
  if (result === undefined) return
  assert.ok(Buffer.isBuffer(result))
  assert.equal(result.length, 32)
}

interface Subject {
  name: string
  parse: (value: FieldValue) => unknown
  check: (result: unknown) => void
  samples: readonly string[]
}

const HASH = 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='

const subjects: Subject[] = [
  {
    name: 'parseAIm',
    parse: parseAIm,
    check (result) {
      assert.ok(Array.isArray(result))
      const list = result as ReturnType<typeof parseAIm>
      assert.ok(list.length <= 64)
      let lastQ = 1
      const names = new Set<string>()
      for (const im of list) {
        assert.match(im.name, LOWER_TOKEN)
        assert.ok(im.q > 0 && im.q <= 1 && im.q <= lastQ)
        lastQ = im.q
        assert.equal(Object.getPrototypeOf(im.params), null)
        for (const v of Object.values(im.params)) assert.equal(typeof v, 'string')
        assert.equal(names.has(im.name), false)
        names.add(im.name)
        assert.equal(acceptsIm(list, im.name), true)
      }
    },
    samples: ['vcdiff, diffe;q=0.5, gzip', 'feed;x="a, b", vcdiff;q=1.000, gdiff;q=0']
  },
  {
    name: 'parseIm',
    parse: parseIm,
    check (result) {
      assert.ok(Array.isArray(result))
      assert.ok(result.length <= 64)
      for (const name of result) assert.match(name, LOWER_TOKEN)
    },
    samples: ['vcdiff, gzip', 'diffe']
  },
  {
    name: 'parseIfNoneMatch',
    parse: parseIfNoneMatch,
    check (result) {
      const { any, tags } = result as ReturnType<typeof parseIfNoneMatch>
      assert.equal(typeof any, 'boolean')
      assert.ok(Array.isArray(tags) && tags.length <= 64)
      if (any) assert.equal(tags.length, 0)
      for (const tag of tags) assert.deepEqual(parseEntityTag(formatEntityTag(tag)), tag)
      for (const opaque of strongTags(tags)) assert.deepEqual(parseEntityTag(opaque), { weak: false, opaque })
    },
    samples: ['"xyzzy", W/"r2d2xxxx", "c3piozzzz"', '*', '"a,b", W/"c\\"']
  },
  {
    name: 'parseEntityTag',
    parse (value) {
      return typeof value === 'string' ? parseEntityTag(value) : (value ?? []).map(parseEntityTag)
    },
    check (result) {
      for (const tag of Array.isArray(result) ? result : [result]) {
        if (tag === undefined) continue
        assert.deepEqual(parseEntityTag(formatEntityTag(tag)), tag)
      }
    },
    samples: ['"xyzzy"', 'W/"a,b"']
  },
  {
    name: 'parseDeltaBase',
    parse: parseDeltaBase,
    check (result) {
      if (result === undefined) return
      assert.equal(typeof result, 'string')
      assert.deepEqual(parseEntityTag(result as string), { weak: false, opaque: result })
    },
    samples: ['"cg-abc"', 'W/"x"', '"a,b"']
  },
  {
    name: 'parseReprDigest',
    parse: parseReprDigest,
    check (result) {
      assert.ok(result instanceof Map)
      assert.ok(result.size <= 64)
      for (const [key, bytes] of result) {
        assert.match(key, SF_KEY)
        assert.ok(Buffer.isBuffer(bytes))
      }
    },
    samples: [`sha-256=:${HASH}:, sha-512=:AAAA:;p=1, l=(1 "x");a=?1, n=-1.5, d=@1, s=%"caf%c3%a9", t=tok/en`]
  },
  {
    name: 'parseSha256ReprDigest',
    parse: parseSha256ReprDigest,
    check: isBuffer32OrUndefined,
    samples: [`sha-256=:${HASH}:`, `sha-512=:AAAA:, sha-256=:${HASH}:;x="y"`]
  },
  {
    name: 'parseAvailableDictionary',
    parse: parseAvailableDictionary,
    check: isBuffer32OrUndefined,
    samples: [`:${HASH}:`, `:${HASH}:;v=1`]
  },
  {
    name: 'parseAcceptEncoding',
    parse: parseAcceptEncoding,
    check (result) {
      assert.ok(result instanceof Map)
      const parsed = result as ReturnType<typeof parseAcceptEncoding>
      assert.ok(parsed.size <= 64)
      for (const [coding, q] of parsed) {
        assert.match(coding, LOWER_TOKEN)
        assert.ok(q >= 0 && q <= 1)
      }
      for (const coding of OFFERED) assert.equal(typeof acceptsEncoding(parsed, coding), 'boolean')
      const chosen = negotiateEncoding(parsed, OFFERED)
      if (chosen !== undefined) {
        assert.ok(OFFERED.includes(chosen))
        assert.equal(acceptsEncoding(parsed, chosen), true)
      }
    },
    samples: ['gzip, deflate, br;q=0.9, zstd;q=0.8, identity;q=0, *;q=0.1', 'dcb, dcz;q=1.0']
  }
]

for (const subject of subjects) {
  test(`${subject.name} never throws on random strings`, () => {
    fc.assert(fc.property(anyString, (s) => { subject.check(subject.parse(s)) }), { numRuns: RUNS })
  })

  test(`${subject.name} never throws on random arrays of strings (repeated headers)`, () => {
    fc.assert(fc.property(stringArray, (lines) => { subject.check(subject.parse(lines)) }), { numRuns: RUNS })
  })

  test(`${subject.name} never throws on mutated valid headers`, () => {
    fc.assert(fc.property(mutated(subject.samples), fc.boolean(), (s, asArray) => {
      subject.check(subject.parse(asArray ? [s, s] : s))
    }), { numRuns: RUNS })
  })

  test(`${subject.name} handles 16 KB adversarial headers and absent values`, () => {
    subject.check(subject.parse(undefined))
    subject.check(subject.parse([]))
    // A caller bug rather than Node's own output, but still no reason to throw.
    subject.check(subject.parse([1, null, {}, subject.samples[0]] as unknown as string[]))
    for (const unit of ['"', '\\', ',', ';', ':', '(', 'W/"', 'a;', 'a;b=', '"\\', 'sha-256=', '*', '1.', ', ', '%"', 'x=(']) {
      const long = unit.repeat(Math.ceil(16384 / unit.length))
      subject.check(subject.parse(long))
      subject.check(subject.parse(subject.samples[0] + ', ' + long))
      subject.check(subject.parse([long, long]))
    }
  })
}
