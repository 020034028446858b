/**
 * Where versions live: each version body by its id (hex SHA-256 of the body), and
 * for each resource key the id of the latest version sent or received.
 *
 * Every method is async so a shared store (Redis) fits behind the same interface.
 * Implementations must never hold more than their configured capacity, and must
 * return exactly the bytes stored under an id (callers still verify digests).
 */
export interface VersionStore {
  /** The body stored under `id`, or undefined when unknown or evicted. */
  getVersion (id: string): Promise<Uint8Array | undefined>
  /**
   * Stores `body` under `id` (the caller computed id = hex SHA-256 of body). With
   * `{ private: true }` the body is one visitor's page (issue 11): the store keeps it
   * for its short private lifetime at most, in every tier it has.
   */
  putVersion (id: string, body: Uint8Array, options?: PutVersionOptions): Promise<void>
  /** The id of the latest version of a resource, or undefined. */
  getLatest (resourceKey: string): Promise<string | undefined>
  /** Records `id` as the latest version of a resource. */
  setLatest (resourceKey: string, id: string): Promise<void>
  /** Releases what the store created (timers, connections). */
  close (): Promise<void>
}

export interface VersionStoreStats {
  /** Bytes currently accounted (bodies, keys and per-entry overhead). */
  size: number
  /** Configured capacity in bytes. */
  maxSize: number
  entries: number
}

export interface PutVersionOptions {
  /** One visitor's page (docs/PROTOCOL.md, "Private responses"): kept for the private lifetime only. */
  private?: boolean
}
