import { availableParallelism } from 'node:os'
import type { Codec, CodecName } from '../codecs/codec.ts'
import { CODEC_NAMES } from '../codecs/codec.ts'
import { isCodecName, loadCodecs } from '../codecs/registry.ts'
import { integerOption } from '../integerOption.ts'
import { ERR_INVALID_OPTION, ERR_UNKNOWN_CODEC } from '../errors.ts'
import type { EligibilityOptions, EligibilityPolicy } from '../policy/eligibility.ts'
import { resolveEligibility } from '../policy/eligibility.ts'
import type { PrivacyOptions, PrivacyPolicy } from '../policy/privacy.ts'
import { resolvePrivacy } from '../policy/privacy.ts'
import { DEFAULT_PRIVATE_TTL_MS, MemoryVersionStore } from '../store/memoryStore.ts'
import type { VersionStore } from '../store/versionStore.ts'
import type { WarnLogger } from './senderAuth.ts'
import { validateSecrets } from './senderAuth.ts'

/** How long a store read may take before the answer falls back to full. */
export const DEFAULT_STORE_TIMEOUT_MS = 50
/** Bytes of compressed full bodies kept for repeated requests of the same version. */
export const DEFAULT_FULL_CACHE_BYTES = 16 * 1024 * 1024
/** Bytes of memoized deltas for bursts of identical requests. */
export const DEFAULT_DELTA_MEMO_BYTES = 8 * 1024 * 1024
/** Smallest body handed to an encoder worker. */
export const DEFAULT_OFFLOAD_MIN_BYTES = 32 * 1024
/**
 * brotli quality for full bodies sent to senders: that of `@fastify/compress` by
 * default, so an answer through the sender costs the origin what a direct answer
 * would (issue 12: on a 4 MB list page quality 5 cost twice the CPU for a 9 % larger
 * body; on random prose it is 20 % smaller, not worth doubling the origin's CPU).
 */
export const DEFAULT_FULL_BROTLI_QUALITY = 4
/** gzip level for full bodies sent to senders that do not accept brotli. */
export const DEFAULT_FULL_GZIP_LEVEL = 6
/** How long a resource whose delta was not useful is answered in full without trying one (issue 12). */
export const DEFAULT_DELTA_BACKOFF_MS = 30_000
/** Longest one encode may run in a worker, and longest it may wait for one (issue 12). */
export const DEFAULT_ENCODE_TIMEOUT_MS = 2_000
/** Encodes that may wait per lane before the next is answered full (issue 12). */
export const DEFAULT_ENCODE_QUEUE_MAX = 8
/** Bodies from this size on are encoded in the large lane, never ahead of ordinary pages (issue 12). */
export const DEFAULT_LARGE_ENCODE_BYTES = 1024 * 1024

/** Options shared by every origin-side entry point (Fastify, Express, listener). */
export interface OriginOptions extends EligibilityOptions, PrivacyOptions {
  /**
   * Shared secret that senders present in the `Coilgun-Secret` header. Required, at
   * least 16 visible ASCII characters. Requests without it get the application's
   * response untouched. A list is accepted too: the first is the current secret,
   * the others previous ones still accepted while a fleet rotates (issue 16).
   */
  secret: string | readonly string[]
  /**
   * Delta codecs offered, in order of preference; those the runtime cannot run
   * (`dcz`/`dcb` on Node 20) are left out with a log line.
   * @default ['vcdiff', 'dcz', 'dcb']
   */
  codecs?: readonly string[]
  /**
   * Where versions are kept. Injected stores are not closed by Coilgun.
   * @default an embedded MemoryVersionStore of `storeMaxBytes`
   */
  store?: VersionStore
  /**
   * Capacity of the embedded store in bytes (ignored when `store` is given).
   * @default 67108864 (64 MiB)
   */
  storeMaxBytes?: number
  /**
   * Lifetime of private versions (docs/PROTOCOL.md, "Private responses") in the
   * embedded store, in ms (ignored when `store` is given: configure that store; the
   * Redis store has `privateTtlSeconds`). Public versions keep the store's lifetime.
   * @default 600000 (ten minutes)
   */
  privateTtlMs?: number
  /**
   * Delta-encode private responses (each against the same visitor's previous page,
   * which the sender names). `false` answers every private response in full and
   * stores nothing of it.
   * @default true
   */
  privateDeltas?: boolean
  /**
   * Longest wait for the store when reading a base, in ms; past it the answer is a
   * full response (a slow store must not slow the page).
   * @default 50
   */
  storeTimeoutMs?: number
  /**
   * Also try gzip over the vcdiff delta (`IM: vcdiff, gzip`) and keep it when smaller.
   * @default true
   */
  secondaryCompression?: boolean
  /**
   * Bytes of compressed full bodies cached per version, so that many senders asking
   * for the same new version do not each pay for its compression. 0 disables.
   * @default 16777216 (16 MiB)
   */
  fullCacheBytes?: number
  /**
   * Bytes of encoded deltas memoized per (base, target, codecs), so a burst of
   * identical requests is encoded once. 0 disables.
   * @default 8388608 (8 MiB)
   */
  deltaMemoBytes?: number
  /**
   * Worker threads that encode deltas and compress full bodies off the main
   * thread (a 400 KB page costs 10-15 ms of CPU). 0 encodes inline.
   * @default 1 when the machine has more than one core, else 0
   */
  encodeWorkers?: number
  /**
   * Bodies smaller than this are encoded inline even with workers: below it the
   * hand-off costs more than the encoding.
   * @default 32768 (32 KiB)
   */
  offloadMinBytes?: number
  /**
   * After a delta attempt that was not useful (no delta, or one at least half the
   * size of the compressed full body), the resource is answered in full without
   * reading a base or encoding for this long, doubling with each further such
   * attempt up to 32 times as long; one useful delta resets it. A page rewritten on
   * every request then costs what a compressed answer costs. 0 always tries.
   * @default 30000 (30 s)
   */
  deltaBackoffMs?: number
  /**
   * Longest one encode (delta or full compression) may run in a worker, in ms: past
   * it the worker is terminated and replaced, and the answer is full. Also the
   * longest a task may wait for a worker. Ignored with `encodeWorkers: 0`, where
   * encodes run inline and are bounded by `maxBodyBytes` only.
   * @default 2000
   */
  encodeTimeoutMs?: number
  /**
   * Encodes that may wait for a worker in each lane; when the lane is full the answer
   * is full at once (a delta is skipped, a full body goes uncompressed) rather than
   * queued behind the others.
   * @default 8
   */
  encodeQueueMax?: number
  /**
   * Bodies of at least this many bytes are encoded in a lane of their own (one
   * worker, its own queue), so ordinary pages never wait behind a large encode.
   * @default 1048576 (1 MiB)
   */
  largeEncodeBytes?: number
  /** Logger (pino-compatible `warn`/`info`); Fastify passes its own. */
  logger?: WarnLogger & { info?: (obj: object, msg: string) => void }
}

export interface ResolvedOriginOptions {
  /** The current secret (the first of `secrets`). */
  readonly secret: string
  /** Every secret accepted, current first. */
  readonly secrets: readonly string[]
  readonly codecs: readonly Codec[]
  readonly store: VersionStore
  /** True when Coilgun created the store and must close it. */
  readonly ownsStore: boolean
  readonly storeTimeoutMs: number
  readonly secondaryCompression: boolean
  readonly fullCacheBytes: number
  readonly deltaMemoBytes: number
  readonly encodeWorkers: number
  readonly offloadMinBytes: number
  readonly deltaBackoffMs: number
  readonly encodeTimeoutMs: number
  readonly encodeQueueMax: number
  readonly largeEncodeBytes: number
  readonly eligibility: EligibilityPolicy
  readonly privacy: PrivacyPolicy
  readonly privateDeltas: boolean
  readonly unavailableCodecs: ReadonlyArray<{ name: CodecName, reason: string }>
}

/**
 * Validates and resolves origin options once, at registration (STYLE rule 3). Every
 * problem is a coded error that names the option.
 */
export async function resolveOriginOptions (options: OriginOptions): Promise<ResolvedOriginOptions> {
  const checked = validateOriginOptions(options)
  const loaded = await loadCodecs(checked.codecNames)
  const codecs = [...loaded.values()].filter(c => c.available)
  const unavailableCodecs = [...loaded.values()].filter(c => !c.available).map(c => ({ name: c.name, reason: c.unavailableReason ?? 'unavailable' }))
  const store = options.store ?? new MemoryVersionStore({ ...(options.storeMaxBytes === undefined ? {} : { maxBytes: options.storeMaxBytes }), privateTtlMs: checked.privateTtlMs })
  return Object.freeze({
    secret: checked.secrets[0]!,
    secrets: checked.secrets,
    codecs: Object.freeze(codecs),
    store,
    ownsStore: options.store === undefined,
    storeTimeoutMs: checked.storeTimeoutMs,
    secondaryCompression: options.secondaryCompression ?? true,
    fullCacheBytes: checked.fullCacheBytes,
    deltaMemoBytes: checked.deltaMemoBytes,
    encodeWorkers: checked.encodeWorkers,
    offloadMinBytes: checked.offloadMinBytes,
    deltaBackoffMs: checked.deltaBackoffMs,
    encodeTimeoutMs: checked.encodeTimeoutMs,
    encodeQueueMax: checked.encodeQueueMax,
    largeEncodeBytes: checked.largeEncodeBytes,
    eligibility: checked.eligibility,
    privacy: checked.privacy,
    privateDeltas: checked.privateDeltas,
    unavailableCodecs: Object.freeze(unavailableCodecs)
  })
}

/**
 * The synchronous part of {@link resolveOriginOptions}: every check that can fail,
 * so adapters that must construct synchronously (Express) throw at creation.
 */
export function validateOriginOptions (options: OriginOptions): { secrets: readonly string[], codecNames: readonly string[], storeTimeoutMs: number, fullCacheBytes: number, deltaMemoBytes: number, encodeWorkers: number, offloadMinBytes: number, deltaBackoffMs: number, encodeTimeoutMs: number, encodeQueueMax: number, largeEncodeBytes: number, eligibility: EligibilityPolicy, privacy: PrivacyPolicy, privateDeltas: boolean, privateTtlMs: number } {
  if (options === null || typeof options !== 'object') throw new ERR_INVALID_OPTION('options', 'expected an object')
  const secrets = validateSecrets('secret', options.secret)
  const names = options.codecs ?? CODEC_NAMES
  if (!Array.isArray(names) || names.length === 0) throw new ERR_INVALID_OPTION('codecs', `expected a non-empty list of ${CODEC_NAMES.join(', ')}`)
  for (const name of names) {
    if (typeof name !== 'string' || !isCodecName(name)) throw new ERR_UNKNOWN_CODEC(String(name), CODEC_NAMES.join(', '))
  }
  const storeTimeoutMs = integerOption('storeTimeoutMs', options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS, 0)
  const fullCacheBytes = integerOption('fullCacheBytes', options.fullCacheBytes ?? DEFAULT_FULL_CACHE_BYTES, 0)
  const deltaMemoBytes = integerOption('deltaMemoBytes', options.deltaMemoBytes ?? DEFAULT_DELTA_MEMO_BYTES, 0)
  const encodeWorkers = integerOption('encodeWorkers', options.encodeWorkers ?? (availableParallelism() > 1 ? 1 : 0), 0, 64)
  const offloadMinBytes = integerOption('offloadMinBytes', options.offloadMinBytes ?? DEFAULT_OFFLOAD_MIN_BYTES, 0)
  const deltaBackoffMs = integerOption('deltaBackoffMs', options.deltaBackoffMs ?? DEFAULT_DELTA_BACKOFF_MS, 0)
  const encodeTimeoutMs = integerOption('encodeTimeoutMs', options.encodeTimeoutMs ?? DEFAULT_ENCODE_TIMEOUT_MS, 1)
  const encodeQueueMax = integerOption('encodeQueueMax', options.encodeQueueMax ?? DEFAULT_ENCODE_QUEUE_MAX, 0)
  const largeEncodeBytes = integerOption('largeEncodeBytes', options.largeEncodeBytes ?? DEFAULT_LARGE_ENCODE_BYTES, 0)
  if (options.secondaryCompression !== undefined && typeof options.secondaryCompression !== 'boolean') {
    throw new ERR_INVALID_OPTION('secondaryCompression', 'expected a boolean')
  }
  if (options.store !== undefined && (typeof options.store !== 'object' || typeof options.store.getVersion !== 'function')) {
    throw new ERR_INVALID_OPTION('store', 'expected a VersionStore (getVersion, putVersion, getLatest, setLatest, close)')
  }
  const eligibility = resolveEligibility(options)
  const privacy = resolvePrivacy(options)
  if (options.privateDeltas !== undefined && typeof options.privateDeltas !== 'boolean') throw new ERR_INVALID_OPTION('privateDeltas', 'expected a boolean')
  const privateTtlMs = integerOption('privateTtlMs', options.privateTtlMs ?? DEFAULT_PRIVATE_TTL_MS, 1)
  if (options.storeMaxBytes !== undefined) integerOption('storeMaxBytes', options.storeMaxBytes, 1024)
  return { secrets, codecNames: names, storeTimeoutMs, fullCacheBytes, deltaMemoBytes, encodeWorkers, offloadMinBytes, deltaBackoffMs, encodeTimeoutMs, encodeQueueMax, largeEncodeBytes, eligibility, privacy, privateDeltas: options.privateDeltas ?? true, privateTtlMs }
}
