import type { IncomingMessage } from 'node:http'
import { wholeMs } from '@coilgun/service'
import type { AccessLine } from '@coilgun/service'
import { requestNotes } from './requestOutcome.ts'
import type { RequestOutcome } from './requestOutcome.ts'

/**
 * The sender's part of a visitor's access line (issue 16; @coilgun/service writes
 * it): what Coilgun did (outcome, codec), link bytes (`up`, from the origin), page
 * bytes (`size`) and upstream time (`ut`).
 */
export function senderAccessLine (raw: IncomingMessage, status: number): AccessLine<RequestOutcome> {
  const note = requestNotes.get(raw)
  return {
    // No note: the sender answered by itself (a refused request, shutting down).
    outcome: note?.outcome ?? (status >= 500 ? 'error' : 'rejected'),
    codec: note?.codec,
    up: note?.upstreamBytes,
    size: note?.size,
    ut: wholeMs(note?.upstreamMs),
    why: note?.why
  }
}
