/**
 * `view` itself when it owns its whole ArrayBuffer, else a copy that does (issue 12).
 *
 * What a byte-bounded cache holds must own exactly the bytes it is counted for. A
 * one-shot zlib call (`brotliCompressSync`, `gunzipSync`, ...) returns a slice of a
 * 16 KiB output chunk, `Buffer.concat`/`Buffer.from` of fewer than 4 KiB a slice of
 * the shared 8 KiB pool, and a body parsed out of a socket read a view of that read:
 * a cache that keeps such a view keeps the whole buffer alive while counting only
 * the view (a 300-byte page held 16 KiB). Copying costs one memcpy of the view, and
 * only for views; a buffer that already owns its memory is returned as is.
 */
export function ownedBytes<T extends Uint8Array> (view: T): T {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view
  const copy = new Uint8Array(view.byteLength)
  copy.set(view)
  return (Buffer.isBuffer(view) ? Buffer.from(copy.buffer, 0, copy.byteLength) : copy) as T
}
