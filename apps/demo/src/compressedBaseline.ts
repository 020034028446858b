import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

const brotliAsync = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** Versions whose compressed sizes are remembered (the demo serves one page). */
const REMEMBERED_VERSIONS = 16

/**
 * What the origin link would carry for a page without Coilgun: the page compressed
 * as an origin would send it, brotli at quality 11 and gzip at level 9. Those are the
 * strongest settings, so the comparison is the least flattering one for Coilgun
 * (issue 15: the demo compared against the raw page).
 */
export interface CompressedSizes {
  readonly raw: number
  readonly brotli: number
  readonly gzip: number
}

/** Compressed sizes of each page version, computed once per version off the main thread. */
export class CompressedBaseline {
  readonly #sizes = new Map<string, Promise<CompressedSizes>>()

  sizesOf (page: Buffer): Promise<CompressedSizes> {
    const key = createHash('sha256').update(page).digest('hex')
    let sizes = this.#sizes.get(key)
    if (sizes === undefined) {
      sizes = Promise.all([
        brotliAsync(page, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: page.length } }),
        gzipAsync(page, { level: 9 })
      ]).then(([br, gz]) => ({ raw: page.length, brotli: br.length, gzip: gz.length }))
      this.#sizes.set(key, sizes)
      if (this.#sizes.size > REMEMBERED_VERSIONS) this.#sizes.delete(this.#sizes.keys().next().value!)
    }
    return sizes
  }
}
