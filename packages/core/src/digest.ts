import { createHash } from 'node:crypto'

// A version is identified by the SHA-256 of its exact identity-encoded body
// (RFC 9530 section 3: Repr-Digest covers the selected representation before
// content coding). The same 32 bytes name it as an entity tag, as a Repr-Digest
// member and as an RFC 9842 Available-Dictionary value.

/** SHA-256 of `body`, 32 bytes. */
export function sha256 (body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest()
}

/** Hex form of a version hash; the key under which stores keep a version. */
export function versionId (hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}

/**
 * Strong entity tag for a version (RFC 9110 section 8.8.3): `"cg-<base64url>"`.
 * base64url has no characters that etagc forbids, and the prefix tells our tags
 * apart from the application's own.
 */
export function formatStrongETag (hash: Uint8Array): string {
  return `"cg-${toBuffer(hash).toString('base64url')}"`
}

/** Inverse of formatStrongETag: the 32-byte hash, or undefined when the tag is not one of ours. */
export function parseCoilgunETag (tag: string): Buffer | undefined {
  if (tag.length !== 48 || !tag.startsWith('"cg-') || !tag.endsWith('"')) return undefined
  const raw = tag.slice(4, -1)
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) return undefined
  const hash = Buffer.from(raw, 'base64url')
  return hash.length === 32 ? hash : undefined
}

/** RFC 9530 section 3 `Repr-Digest: sha-256=:<base64>:` */
export function formatReprDigest (hash: Uint8Array): string {
  return `sha-256=:${toBuffer(hash).toString('base64')}:`
}

/** RFC 9842 section 2.2 `Available-Dictionary: :<base64 of sha-256>:` (an sf-binary). */
export function formatAvailableDictionary (hash: Uint8Array): string {
  return `:${toBuffer(hash).toString('base64')}:`
}

function toBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
