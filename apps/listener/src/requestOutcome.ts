import { RequestNotes } from '@coilgun/service'
import type { RequestNote } from '@coilgun/service'

/**
 * What the listener did for one request, noted where it is decided and read once in
 * the `onResponse` hook, which counts it with the final status and writes the access
 * line (issue 16).
 */
export const REQUEST_OUTCOMES = ['delta', 'full', 'not-modified', 'passthrough', 'misdirected', 'bad-host', 'error', 'rejected'] as const
export type RequestOutcome = typeof REQUEST_OUTCOMES[number]

/** Each request's note (see RequestNotes). */
export const requestNotes = new RequestNotes<RequestNote<RequestOutcome>>()
