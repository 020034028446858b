import { ERR_INVALID_OPTION } from '../errors.ts'
import { integerOption } from '../integerOption.ts'

// Which responses may travel as deltas. The content types start from Railgun's
// list (text and script/markup that changes a little between versions); binary
// formats are already compressed and rarely delta well.

export const DEFAULT_CONTENT_TYPES: readonly string[] = Object.freeze([
  'text/*',
  'application/json',
  'application/*+json',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/xml',
  'application/*+xml'
])
/** Bodies below this are not worth a delta round trip. */
export const DEFAULT_MIN_BODY_BYTES = 256
/** Bodies above this are streamed through untouched (and never buffered). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

export interface EligibilityOptions {
  /**
   * Media types that may be delta-encoded: exact (`application/json`), a whole
   * top-level type (`text/*`) or a structured suffix (`application/*+xml`).
   * @default DEFAULT_CONTENT_TYPES (Railgun's list plus `application/*+json`)
   */
  contentTypes?: readonly string[]
  /**
   * Smallest body in bytes that is delta-encoded.
   * @default 256
   */
  minBodyBytes?: number
  /**
   * Largest body in bytes that is buffered and delta-encoded; larger bodies pass
   * through untouched. This also bounds the memory one response can take.
   * @default 8388608 (8 MiB)
   */
  maxBodyBytes?: number
}

export interface EligibilityPolicy {
  readonly minBodyBytes: number
  readonly maxBodyBytes: number
  readonly contentTypes: readonly string[]
  /** True when a response of this Content-Type may be delta-encoded. */
  contentTypeEligible (contentType: string | undefined): boolean
  /** True for a body length within [minBodyBytes, maxBodyBytes]. */
  sizeEligible (length: number): boolean
}

const MEDIA_RANGE = /^[a-z0-9!#$&^_.+-]+\/(?:\*|\*\+[a-z0-9!#$&^_.-]+|[a-z0-9!#$&^_.+-]+)$/

/** Resolves eligibility options once into a frozen policy (STYLE rule 3). */
export function resolveEligibility (options: EligibilityOptions = {}): EligibilityPolicy {
  const minBodyBytes = integerOption('minBodyBytes', options.minBodyBytes ?? DEFAULT_MIN_BODY_BYTES, 0)
  const maxBodyBytes = integerOption('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 1)
  if (minBodyBytes > maxBodyBytes) throw new ERR_INVALID_OPTION('minBodyBytes', `must not exceed maxBodyBytes (${maxBodyBytes})`)
  const contentTypes = (options.contentTypes ?? DEFAULT_CONTENT_TYPES).map(t => String(t).trim().toLowerCase())
  for (const type of contentTypes) {
    if (!MEDIA_RANGE.test(type)) throw new ERR_INVALID_OPTION('contentTypes', `"${type}" is not a media type, type/* or type/*+suffix`)
  }
  const exact = new Set<string>()
  const wholeTypes = new Set<string>()
  const suffixes: Array<{ type: string, suffix: string }> = []
  for (const type of contentTypes) {
    const [top = '', sub = ''] = type.split('/')
    if (sub === '*') wholeTypes.add(top)
    else if (sub.startsWith('*+')) suffixes.push({ type: top, suffix: sub.slice(1) })
    else exact.add(type)
  }
  return Object.freeze({
    minBodyBytes,
    maxBodyBytes,
    contentTypes: Object.freeze(contentTypes),
    contentTypeEligible (contentType: string | undefined): boolean {
      if (contentType === undefined) return false
      const semi = contentType.indexOf(';')
      const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
      if (exact.has(media)) return true
      const slash = media.indexOf('/')
      if (slash <= 0) return false
      const top = media.slice(0, slash)
      if (wholeTypes.has(top)) return true
      for (const s of suffixes) {
        if (s.type === top && media.endsWith(s.suffix) && media.length > slash + 1 + s.suffix.length) return true
      }
      return false
    },
    sizeEligible (length: number): boolean {
      return length >= minBodyBytes && length <= maxBodyBytes
    }
  })
}

/** RFC 3229 deltas apply to GET (and HEAD, which mirrors GET's headers). */
export function methodEligible (method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}
