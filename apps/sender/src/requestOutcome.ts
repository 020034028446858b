import { RequestNotes } from '@coilgun/service'
import type { RequestNote } from '@coilgun/service'

/**
 * What Coilgun did for one visitor request, noted where it is decided and read once
 * in the `onResponse` hook, which counts it with the final status and writes the
 * access line (issue 16: one line per request, and a status-class label that is only
 * known once the answer is sent).
 */
export const REQUEST_OUTCOMES = ['delta', 'full', 'not-modified', 'fallback', 'passthrough', 'head', 'busy', 'error', 'rejected'] as const
export type RequestOutcome = typeof REQUEST_OUTCOMES[number]

/** Each request's note (see RequestNotes). */
export const requestNotes = new RequestNotes<RequestNote<RequestOutcome>>()
