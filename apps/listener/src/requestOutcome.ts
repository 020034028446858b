/**
 * What the listener did for one request, noted where it is decided and read once in
 * the `onResponse` hook, which counts it with the final status and writes the access
 * line (issue 16).
 */
export const REQUEST_OUTCOMES = ['delta', 'full', 'not-modified', 'passthrough', 'misdirected', 'bad-host', 'error', 'rejected'] as const
export type RequestOutcome = typeof REQUEST_OUTCOMES[number]

export interface RequestNote {
  outcome: RequestOutcome
  codec?: string | undefined
  /** Body bytes sent to the sender (the link), for Coilgun answers. */
  linkBytes?: number | undefined
  /** Page bytes received from the origin. */
  size?: number | undefined
  /** Time until the origin's response headers. */
  originMs?: number | undefined
  why?: string | undefined
}

const notes = new WeakMap<object, RequestNote>()

export function noteOutcome (raw: object, note: RequestNote): RequestNote {
  notes.set(raw, note)
  return note
}

export function requestNote (raw: object): RequestNote | undefined {
  return notes.get(raw)
}
