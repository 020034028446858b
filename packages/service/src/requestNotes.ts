/**
 * What a service did for each request, noted where it is decided and read once in
 * the `onResponse` hook, which counts it with the final status and writes the access
 * line (issue 16). Keyed by the raw request (IncomingMessage or Http2ServerRequest),
 * which every hook and error path can reach; a WeakMap, so a note lives exactly as long
 * as its request.
 */
export class RequestNotes<Note extends object> {
  readonly #notes = new WeakMap<object, Note>()

  /** Records the note of the request whose raw request is `raw`; returns it (it may be completed later). */
  set (raw: object, note: Note): Note {
    this.#notes.set(raw, note)
    return note
  }

  /** The note of a request, if one was made (answers a service gave itself have none). */
  get (raw: object): Note | undefined {
    return this.#notes.get(raw)
  }
}
