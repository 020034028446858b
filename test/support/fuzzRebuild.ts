import assert from 'node:assert/strict'
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { formatAvailableDictionary, formatReprDigest, formatStrongETag, isCoilgunError, loadCodecs, parseCoilgunETag, parseSha256ReprDigest, rebuildFromAnswer, sha256 } from '@coilgun/core'
import type { Codec, CodecName, HeldVersion, OriginAnswerIn } from '@coilgun/core'
import { syntheticVersions } from '@coilgun/fixtures/syntheticVersions'
import type { FuzzTarget } from '@coilgun/fixtures/fuzzTarget'
import { count, runParameters } from '@coilgun/fixtures/fuzzTarget'
import { runDelta } from './vcdiffCraft.ts'

// The sender's whole verification step, `rebuildFromAnswer`, fed honest answers
// that were then damaged (status, headers, body), answers meant for another base,
// and plain random ones. Invariant: a coded error, or exactly the version the
// answer names (its Repr-Digest and its cg- ETag, whichever it carries; a lean answer
// carries only the ETag); never other bytes, never an uncoded exception.

type Headers = Record<string, string | string[] | undefined>
type HeldName = 'base' | 'other' | 'target' | 'none'

interface Fixture {
  readonly name: string
  readonly answer: OriginAnswerIn
}

const PROTOCOL_HEADERS = ['repr-digest', 'etag', 'im', 'delta-base', 'content-encoding', 'content-length', 'available-dictionary'] as const

function headersOf (version: Uint8Array, extra: Headers): Headers {
  const hash = sha256(version)
  return { etag: formatStrongETag(hash), 'repr-digest': formatReprDigest(hash), ...extra }
}

/** The lean answer (docs/PROTOCOL.md): the version named by its ETag only, no Delta-Base. */
function leanHeadersOf (version: Uint8Array, extra: Headers): Headers {
  return { etag: formatStrongETag(sha256(version)), ...extra }
}

/** Honest answers an origin could send a sender holding `base` (and a few it never should). */
function fixtures (codecs: ReadonlyMap<CodecName, Codec>, base: Buffer, target: Buffer, other: Buffer): Fixture[] {
  const out: Fixture[] = []
  const baseTag = formatStrongETag(sha256(base))
  const vcdiff = codecs.get('vcdiff')
  if (vcdiff?.available === true) {
    const delta = Buffer.from(vcdiff.encode(base, target))
    const fromOther = Buffer.from(vcdiff.encode(other, target))
    out.push({ name: '226 vcdiff', answer: { status: 226, headers: headersOf(target, { im: 'vcdiff', 'delta-base': baseTag }), body: delta } })
    out.push({ name: '226 vcdiff lean', answer: { status: 226, headers: leanHeadersOf(target, { im: 'vcdiff' }), body: delta } })
    out.push({ name: '226 lean against other', answer: { status: 226, headers: leanHeadersOf(target, { im: 'vcdiff' }), body: fromOther } })
    out.push({ name: '226 vcdiff, gzip', answer: { status: 226, headers: headersOf(target, { im: 'vcdiff, gzip', 'delta-base': baseTag }), body: gzipSync(delta) } })
    // Against another URL's version, honestly named, and the same delta lying about its base.
    out.push({ name: '226 against other', answer: { status: 226, headers: headersOf(target, { im: 'vcdiff', 'delta-base': formatStrongETag(sha256(other)) }), body: fromOther } })
    out.push({ name: '226 lying base', answer: { status: 226, headers: headersOf(target, { im: 'vcdiff', 'delta-base': baseTag }), body: fromOther } })
    // A bomb: a few dozen bytes announcing 256 MiB per window.
    out.push({ name: '226 vcdiff bomb', answer: { status: 226, headers: headersOf(target, { im: 'vcdiff', 'delta-base': baseTag }), body: runDelta(256 * 1024 * 1024, 4) } })
  }
  for (const name of ['dcz', 'dcb'] as const) {
    const codec = codecs.get(name)
    if (codec?.available !== true) continue
    out.push({ name: `200 ${name}`, answer: { status: 200, headers: headersOf(target, { 'content-encoding': name, 'available-dictionary': formatAvailableDictionary(sha256(base)) }), body: Buffer.from(codec.encode(base, target)) } })
    out.push({ name: `200 ${name} lean`, answer: { status: 200, headers: leanHeadersOf(target, { 'content-encoding': name }), body: Buffer.from(codec.encode(base, target)) } })
    out.push({ name: `200 ${name} against other`, answer: { status: 200, headers: headersOf(target, { 'content-encoding': name }), body: Buffer.from(codec.encode(other, target)) } })
  }
  out.push({ name: '200 identity', answer: { status: 200, headers: headersOf(target, {}), body: target } })
  out.push({ name: '200 gzip', answer: { status: 200, headers: headersOf(target, { 'content-encoding': 'gzip' }), body: gzipSync(target) } })
  out.push({ name: '200 br', answer: { status: 200, headers: headersOf(target, { 'content-encoding': 'br' }), body: brotliCompressSync(target) } })
  out.push({ name: '200 other identity', answer: { status: 200, headers: headersOf(other, {}), body: other } })
  out.push({ name: '304 base', answer: { status: 304, headers: headersOf(base, {}), body: Buffer.alloc(0) } })
  out.push({ name: '304 base lean', answer: { status: 304, headers: leanHeadersOf(base, {}), body: Buffer.alloc(0) } })
  out.push({ name: '200 identity lean', answer: { status: 200, headers: leanHeadersOf(target, {}), body: target } })
  // Bombs in the full-body codings: a few KB inflating to 64 MiB.
  const zeros = Buffer.alloc(64 * 1024 * 1024)
  out.push({ name: '200 gzip bomb', answer: { status: 200, headers: headersOf(target, { 'content-encoding': 'gzip' }), body: gzipSync(zeros, { level: 9 }) } })
  out.push({ name: '200 br bomb', answer: { status: 200, headers: headersOf(target, { 'content-encoding': 'br' }), body: brotliCompressSync(zeros, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }) } })
  return out
}

/** Values worth trying in a protocol header: right ones for the wrong version, near misses, junk. */
function headerValues (base: Buffer, target: Buffer, other: Buffer): fc.Arbitrary<string | string[] | undefined> {
  const interesting: string[] = []
  for (const v of [base, target, other]) {
    const hash = sha256(v)
    interesting.push(formatStrongETag(hash), formatReprDigest(hash), formatAvailableDictionary(hash), `W/${formatStrongETag(hash)}`)
  }
  interesting.push('vcdiff', 'vcdiff, gzip', 'gzip, vcdiff', 'VCDIFF', 'vcdiff;q=0', 'diffe', 'dcz', 'dcb', 'br', 'gzip', 'x-gzip', 'GZIP', 'identity', 'br, gzip', '', '*', '0', '-1', '999999999999',
    `sha-256=:${Buffer.alloc(32).toString('base64')}:`, 'sha-256=:AAAA:', 'sha-512=:AAAA:', '"cg-AAAA"')
  const one = fc.oneof(fc.constantFrom(...interesting), fc.string({ maxLength: 80 }))
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: one },
    { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) }
  )
}

type BodyEdit =
  | { kind: 'truncate', at: number }
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'insert', at: number, bytes: Uint8Array }
  | { kind: 'overwrite', at: number, bytes: Uint8Array }
  | { kind: 'random', bytes: Uint8Array }
  | { kind: 'swap', with: number }
  | { kind: 'empty' }

const bodyEdit: fc.Arbitrary<BodyEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 2048 }) }),
  fc.record({ kind: fc.constant('swap' as const), with: fc.nat() }),
  fc.constant({ kind: 'empty' as const })
)

function applyBodyEdit (body: Uint8Array, edit: BodyEdit, all: readonly Fixture[]): Uint8Array {
  const at = (n: number): number => body.length === 0 ? 0 : n % (body.length + 1)
  switch (edit.kind) {
    case 'truncate': return body.subarray(0, at(edit.at) === body.length ? Math.max(0, body.length - 1) : at(edit.at))
    case 'flip': {
      if (body.length === 0) return body
      const out = Buffer.from(body)
      const i = edit.at % out.length
      out[i] = out[i]! ^ (1 << edit.bit)
      return out
    }
    case 'insert': return Buffer.concat([body.subarray(0, at(edit.at)), edit.bytes, body.subarray(at(edit.at))])
    case 'overwrite': {
      const out = Buffer.from(body)
      out.set(edit.bytes.subarray(0, Math.max(0, out.length - at(edit.at))), Math.min(at(edit.at), out.length))
      return out
    }
    case 'random': return edit.bytes
    case 'swap': return all[edit.with % all.length]!.answer.body
    case 'empty': return Buffer.alloc(0)
  }
}

/** `rebuildFromAnswer` against damaged and confused answers (see the top of this file). */
export async function rebuildFuzz (): Promise<FuzzTarget> {
  const codecs = await loadCodecs()
  const [base, target, other] = syntheticVersions(3, 24_000) as [Buffer, Buffer, Buffer]
  const maxOutputBytes = 4 * target.length
  const known = [base, target, other]
  const held: Record<HeldName, HeldVersion | undefined> = {
    base: { body: base, hash: sha256(base) },
    other: { body: other, hash: sha256(other) },
    target: { body: target, hash: sha256(target) },
    none: undefined
  }
  const all = fixtures(codecs, base, target, other)

  // Sanity: the honest answers rebuild the target (or the base, for the 304), so a
  // property that only ever sees errors cannot pass by accident.
  for (const f of all) {
    if (/bomb|other|lying/.test(f.name)) continue
    const out = rebuildFromAnswer(f.answer, held.base, codecs, maxOutputBytes)
    assert.ok(Buffer.from(out.body).equals(f.name.startsWith('304') ? base : target), `${f.name} does not rebuild`)
  }

  const damaged = fc.record({
    fixture: fc.nat(all.length - 1),
    status: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(200, 206, 226, 304, 404, 500), fc.integer({ min: 100, max: 599 })) }),
    edits: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom(...PROTOCOL_HEADERS), headerValues(base, target, other)), { minLength: 1, maxLength: 3 }) }
    ),
    body: fc.option(bodyEdit, { nil: undefined, freq: 2 }),
    held: fc.constantFrom<HeldName>('base', 'base', 'base', 'other', 'target', 'none')
  }).map(({ fixture, status, edits, body, held: heldName }) => {
    const f = all[fixture]!
    const headers: Headers = { ...f.answer.headers }
    for (const [name, value] of edits) headers[name] = value
    const answer: OriginAnswerIn = { status: status ?? f.answer.status, headers, body: body === undefined ? f.answer.body : applyBodyEdit(f.answer.body, body, all) }
    return { answer, held: heldName }
  })
  const random = fc.record({
    status: fc.integer({ min: 0, max: 999 }),
    headers: fc.dictionary(fc.constantFrom(...PROTOCOL_HEADERS), headerValues(base, target, other)),
    body: fc.uint8Array({ maxLength: 4096 }),
    held: fc.constantFrom<HeldName>('base', 'other', 'none')
  }).map(({ status, headers, body, held: heldName }) => ({ answer: { status, headers, body } as OriginAnswerIn, held: heldName }))

  const outcomes = new Map<string, number>()
  function check ({ answer, held: heldName }: { answer: OriginAnswerIn, held: HeldName }): void {
    let rebuilt
    try {
      rebuilt = rebuildFromAnswer(answer, held[heldName], codecs, maxOutputBytes)
    } catch (err) {
      assert.ok(isCoilgunError(err), `an uncoded exception escaped: ${String(err)}`)
      count(outcomes, err.code)
      return
    }
    count(outcomes, `ok ${rebuilt.kind}`)
    const hash = sha256(rebuilt.body)
    assert.ok(hash.equals(Buffer.from(rebuilt.hash)), 'the returned hash is not the hash of the returned body')
    // Every name the answer gives is the returned version, and it gives at least one.
    const digest = answer.headers['repr-digest'] === undefined ? undefined : parseSha256ReprDigest(answer.headers['repr-digest'])
    const tag = typeof answer.headers.etag === 'string' ? parseCoilgunETag(answer.headers.etag) : undefined
    assert.ok(digest !== undefined || tag !== undefined, 'returned a body from an answer that names no version')
    assert.ok(digest === undefined || digest.equals(hash), 'returned a body that is not the version Repr-Digest names')
    assert.ok(tag === undefined || tag.equals(hash), 'returned a body that is not the version the ETag names')
    const version = known.find(v => sha256(v).equals(hash))
    assert.ok(version?.equals(rebuilt.body) === true, 'returned bytes that are no version at all')
    assert.ok(rebuilt.body.length <= maxOutputBytes)
  }

  const property = fc.property(fc.oneof({ weight: 4, arbitrary: damaged }, { weight: 1, arbitrary: random }), check)
  return {
    name: 'rebuildFromAnswer',
    outcomes,
    run (numRuns: number, seed?: number) { fc.assert(property, runParameters(numRuns, seed)) }
  }
}
