/** What a bench server process measured between `begin` and `end` of one run. */
export interface ServerStats {
  /** Event-loop delay of the server's main thread, ms beyond the sampling interval. */
  readonly eventLoop: { readonly p50Ms: number, readonly p99Ms: number, readonly maxMs: number, readonly samples: number }
  /** CPU time of the whole process (main thread and workers), ms. */
  readonly cpuMs: number
  /** HTTP requests the server received. */
  readonly requests: number
  /** Socket bytes the server wrote (responses, headers included) and read (requests). */
  readonly bytesOut: number
  readonly bytesIn: number
  /** Figures only this kind of server knows (encoder counters, sender metrics). */
  readonly extra: Record<string, number>
}

/** Parent to child: start measuring, or stop and report. */
export type ControlMessage = { readonly type: 'begin', readonly id: number } | { readonly type: 'end', readonly id: number }

/** Child to parent: listening on `port`, measuring started, or the stats of a run. */
export type ReplyMessage =
  | { readonly type: 'ready', readonly port: number, readonly scheme?: 'http' | 'https' }
  | { readonly type: 'begun', readonly id: number }
  | { readonly type: 'stats', readonly id: number, readonly stats: ServerStats }
