// The emulated WAN link between edge and origin (issue 7): a bandwidth and a round
// trip time, both ways alike, as a leased line or a VPN between two data centres.

/** Bandwidth of the emulated link, Mbit/s (10^6 bits), in each direction. @default 10 */
export const DEFAULT_MBIT_PER_S = 10
/** Round trip time of the emulated link, ms: half of it is added in each direction. @default 80 */
export const DEFAULT_RTT_MS = 80
/**
 * Depth of the token bucket, bytes: one Ethernet frame. A physical link sends one
 * frame at a time, so nothing but a frame's worth passes at once after an idle
 * spell; a deeper bucket would let short answers beat the physical floor.
 * @default 1514
 */
export const DEFAULT_BURST_BYTES = 1514

export interface LinkSettings {
  /** Bandwidth in each direction, Mbit/s. */
  readonly mbitPerS: number
  /** Round trip time, ms (each direction adds half). */
  readonly rttMs: number
  /** Token bucket depth, bytes. */
  readonly burstBytes: number
}

export const DEFAULT_LINK: LinkSettings = Object.freeze({ mbitPerS: DEFAULT_MBIT_PER_S, rttMs: DEFAULT_RTT_MS, burstBytes: DEFAULT_BURST_BYTES })

/** Bytes per millisecond that the link carries in each direction. */
export function bytesPerMs (link: LinkSettings): number {
  return link.mbitPerS * 1e6 / 8 / 1000
}

/** Time the link needs to carry `bytes` one way, ms (serialisation, no propagation). */
export function transferMs (link: LinkSettings, bytes: number): number {
  return bytes / bytesPerMs(link)
}

/**
 * The physical floor of one request on a warm connection: one round trip, plus the
 * time the link needs to carry the request one way and the answer the other way.
 * Nothing on this link can answer faster (issue 7: "one RTT + bytes / bandwidth").
 */
export function floorMs (link: LinkSettings, upBytes: number, downBytes: number): number {
  return link.rttMs + transferMs(link, upBytes) + transferMs(link, downBytes)
}

/** `10 Mbit/s, 80 ms RTT`: how reports name the link. */
export function describeLink (link: LinkSettings): string {
  return `${link.mbitPerS} Mbit/s each way, ${link.rttMs} ms RTT`
}
