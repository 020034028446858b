import type { RelaySnapshot } from './linkRelay.ts'

// The IPC between the bench and the relay process (wan/relay.ts).

/** Parent to relay: report the counters. */
export interface SnapshotRequest {
  readonly type: 'snapshot'
  readonly id: number
}

/** Relay to parent: listening (ports in route order), or the counters asked for. */
export type RelayMessage =
  | { readonly type: 'ready', readonly ports: readonly number[] }
  | { readonly type: 'snapshot', readonly id: number, readonly snapshot: RelaySnapshot, readonly cpuMs: number }
