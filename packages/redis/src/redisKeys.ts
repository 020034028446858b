import { createHash } from 'node:crypto'

// Key layout (issue 6). Every command touches one key, so nothing needs two keys in
// one Redis Cluster slot and no hash tag is used: versions and pointers spread over
// all slots and nodes.
//   <prefix>v:<id>           a version body; id = hex SHA-256 of the body
//   <prefix>k:<sha256(key)>  the id of the latest version of a resource
// The resource key (host + path + query) is hashed: URLs can be kilobytes long, and
// one containing `{...}` would otherwise act as a hash tag.

/** Redis key of a version body. */
export function versionKey (prefix: string, id: string): string {
  return `${prefix}v:${id}`
}

/** Redis key of a resource's latest-version pointer. */
export function latestKey (prefix: string, resourceKey: string): string {
  return `${prefix}k:${createHash('sha256').update(resourceKey).digest('base64url')}`
}
