import { RequestNotes } from '@coilgun/service'

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

/** Each request's note (see RequestNotes). */
export const requestNotes = new RequestNotes<RequestNote>()
