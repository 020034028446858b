import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeDelta, gzipIfSmaller, isCoilgunError, loadCodecs, parseAIm, parseAcceptEncoding, parseAvailableDictionary, parseDeltaBase, parseEntityTag, parseIfNoneMatch, parseIm, parseReprDigest, parseSha256ReprDigest, sha256 } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'
import type { FuzzTarget } from '@coilgun/fixtures/fuzzTarget'
import { count, runParameters } from '@coilgun/fixtures/fuzzTarget'

// The long mode's own copies of the properties packages/core/test runs a few thousand
// times per CI run (headers-never-throw, codecs-bad-input), so `npm run fuzz` covers
// every header parser and every codec decoder for hours, next to the issue 8 targets.

const SYNTAX = [...'"\\,;=:*W/ \t()?@%-._aAzZ09+q'.split(''), '\u00e9', '\r', '\n', '\u0000']
const SAMPLES = ['vcdiff, diffe;q=0.5, gzip', '"xyzzy", W/"r2d2", "c3po"', '"cg-abc"', 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:;p=1',
  ':X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', 'gzip, deflate, br;q=0.9, dcz;q=0.8, identity;q=0, *;q=0.1']

const PARSERS: ReadonlyArray<[string, (value: string | string[] | undefined) => unknown]> = [
  ['parseAIm', parseAIm], ['parseIm', parseIm], ['parseIfNoneMatch', parseIfNoneMatch], ['parseDeltaBase', parseDeltaBase],
  ['parseReprDigest', parseReprDigest], ['parseSha256ReprDigest', parseSha256ReprDigest], ['parseAvailableDictionary', parseAvailableDictionary],
  ['parseAcceptEncoding', parseAcceptEncoding], ['parseEntityTag', v => typeof v === 'string' ? parseEntityTag(v) : undefined]
]

/** Every header parser: random, syntax-heavy, long and mutated values never throw. */
export function headerParsersFuzz (): FuzzTarget {
  const syntax = fc.string({ unit: fc.constantFrom(...SYNTAX), maxLength: 400 })
  const mutated = fc.tuple(fc.constantFrom(...SAMPLES), fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.string({ unit: fc.constantFrom(...SYNTAX), maxLength: 4 })), { minLength: 1, maxLength: 8 }))
    .map(([s, edits]) => edits.reduce((acc, [at, remove, insert]) => { const p = at % (acc.length + 1); return acc.slice(0, p) + insert + acc.slice(p + remove) }, s))
  const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), syntax, mutated, fc.constantFrom(...SAMPLES).map(s => s.repeat(200)))
  const input = fc.oneof(value, fc.array(value, { maxLength: 6 }), fc.constant(undefined))
  const outcomes = new Map<string, number>()
  const property = fc.property(fc.nat(PARSERS.length - 1), input, (index, v) => {
    const [name, parse] = PARSERS[index]!
    parse(v)
    count(outcomes, name)
  })
  return { name: 'header parsers', outcomes, run (numRuns, seed) { fc.assert(property, runParameters(numRuns, seed)) } }
}

/** Every available codec's decoder (through decodeDelta): the target or a coded error. */
export async function decodersFuzz (): Promise<FuzzTarget> {
  const codecs = [...(await loadCodecs()).values()].filter(c => c.available)
  const [base, target] = syntheticVersions(2, 60_000) as [Buffer, Buffer]
  const expectedHash = sha256(target)
  const deltas = codecs.map(codec => {
    const delta = Buffer.from(codec.encode(base, target))
    return { codec, delta, gz: codec.name === 'vcdiff' ? gzipIfSmaller(delta) : undefined }
  })
  const outcomes = new Map<string, number>()
  const property = fc.property(
    fc.nat(deltas.length - 1),
    fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map(b => ({ bytes: b, at: -1 })),
      fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, bytes]) => ({ bytes, at })),
      fc.nat().map(at => ({ bytes: new Uint8Array(0), at: -2 - at }))
    ),
    fc.boolean(),
    (index, edit, useGzip) => {
      const { codec, delta, gz } = deltas[index]!
      const secondary = useGzip && gz !== undefined ? 'gzip' as const : undefined
      const source = secondary === 'gzip' ? gz! : delta
      let bytes: Uint8Array
      if (edit.at === -1) bytes = edit.bytes
      else if (edit.at < -1) bytes = source.subarray(0, (-2 - edit.at) % (source.length + 1))
      else {
        const m = Buffer.from(source)
        const at = edit.at % m.length
        m.set(edit.bytes.subarray(0, m.length - at), at)
        bytes = m
      }
      try {
        const out = decodeDelta({ codec, secondary, base, delta: bytes, expectedHash, maxOutputBytes: target.length })
        assert.ok(Buffer.from(out.body).equals(target), `${codec.name} returned bytes that are not the target`)
        count(outcomes, `${codec.name} ok`)
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err
        assert.ok(isCoilgunError(err), `${codec.name}: an uncoded ${String(err)}`)
        count(outcomes, `${codec.name} ${err.code}`)
      }
    }
  )
  return { name: `decoders (${codecs.map(c => c.name).join(', ')})`, outcomes, run (numRuns, seed) { fc.assert(property, runParameters(numRuns, seed)) } }
}
