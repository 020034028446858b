// Issue 17: compression settings of the RFC 9842 codecs, chosen by page size. The
// figures behind each choice were measured on the public corpus (bench/codecs.ts)
// against `zstd -19 --patch-from` on Node 24; see BENCHMARKS.md.

/** 2^20 bytes. */
const MIB = 1024 * 1024

/**
 * zstd level for dcz, at every page size. Level 10 is the last row of zstd's
 * parameter tables before the binary-tree strategies, whose cost with a
 * dictionary is dominated by inserting the whole base into the tree (levels 11-19
 * measured at 75-300 ms/MB on pages under 256 KB); levels 3-6 send 3-35% more
 * bytes (level 3, the setting before issue 17, 2.2x as many on a 3 MB page).
 * The page size picks the window and the match-finder tables instead, see
 * {@link dczWindowLog} and {@link dczTableLog}.
 * @default 10
 */
export const DEFAULT_DCZ_LEVEL = 10

/**
 * brotli quality for dcb, at every page size. 5 is the lowest quality that uses a
 * dictionary at all; qualities 6-9 measured within 0.5% of its bytes at 1-10x its
 * time, 10-11 at 2% fewer bytes for 5-20x its time.
 * @default 5
 */
export const DEFAULT_DCB_QUALITY = 5

/**
 * RFC 9842 section 5 (dcz): a client must accept windows up to 8 MB or 1.25 times
 * the dictionary, whichever is larger, up to 128 MB, and may refuse frames that
 * announce more (Chromium sets its zstd window limit from the dictionary size).
 * 8 MB is taken as 2^23 bytes, as zstd does.
 */
const DCZ_MIN_CLIENT_WINDOW = 8 * MIB
const DCZ_MAX_CLIENT_WINDOW = 128 * MIB

function log2Ceil (n: number): number {
  return Math.ceil(Math.log2(Math.max(2, n)))
}

/**
 * zstd hashLog and chainLog for a dcz delta, by page size. Level 10's own tables
 * (2^22 and 2^21 entries) are zeroed on every call: on a 200 KB page that alone
 * doubled the encode time. A quarter of an entry per byte of base plus target
 * measured within 1.5% of the bytes at half the time, from 80 KB to 3 MB pages.
 */
export function dczTableLog (baseLength: number, targetLength: number): number {
  return Math.min(22, Math.max(12, log2Ceil(baseLength + targetLength) - 2))
}

/**
 * zstd windowLog for a dcz delta. The window must reach back over the whole base
 * while the new version is written (as `zstd --patch-from` does), so it covers base
 * plus target. zstd then writes a single-segment frame (Window_Size = the content
 * size, RFC 8878 section 3.1.1.1.2), which every RFC 9842 client accepts while the
 * new version is no larger than its window limit. A larger new version gets the
 * largest window every client must accept: valid, only the base is out of reach
 * for its last part.
 */
export function dczWindowLog (baseLength: number, targetLength: number): number {
  const clientLimit = Math.min(DCZ_MAX_CLIENT_WINDOW, Math.max(DCZ_MIN_CLIENT_WINDOW, 1.25 * baseLength))
  if (targetLength > clientLimit) return Math.floor(Math.log2(clientLimit))
  // 19: below it zstd's own minimum for these levels; 27: 128 MB, the RFC's cap.
  return Math.min(27, Math.max(19, log2Ceil(baseLength + targetLength)))
}

/**
 * brotli lgwin for a dcb delta: large enough for the new version's own repeats;
 * RFC 9842 section 4 (dcb) allows the 16 MB (lgwin 24) window of plain brotli, and
 * larger windows measured smaller deltas on multi-MB pages.
 */
export function dcbWindowBits (baseLength: number, targetLength: number): number {
  return Math.min(24, Math.max(22, log2Ceil(baseLength + targetLength)))
}
