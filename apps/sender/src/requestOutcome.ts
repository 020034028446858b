import { RequestNotes } from '@coilgun/service'

/**
 * What Coilgun did for one visitor request, noted where it is decided and read once
 * in the `onResponse` hook, which counts it with the final status and writes the
 * access line (issue 16: one line per request, and a status-class label that is only
 * known once the answer is sent).
 */
export const REQUEST_OUTCOMES = ['delta', 'full', 'not-modified', 'fallback', 'passthrough', 'head', 'busy', 'error', 'rejected'] as const
export type RequestOutcome = typeof REQUEST_OUTCOMES[number]

export interface RequestNote {
  outcome: RequestOutcome
  codec?: string | undefined
  /** Body bytes received from the upstream for this request (the link). */
  upstreamBytes?: number | undefined
  /** Page size served. */
  size?: number | undefined
  upstreamMs?: number | undefined
  why?: string | undefined
}

/** Each request's note (see RequestNotes). */
export const requestNotes = new RequestNotes<RequestNote>()
