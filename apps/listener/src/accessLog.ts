import type { IncomingMessage } from 'node:http'
import { wholeMs } from '@coilgun/service'
import type { AccessLine } from '@coilgun/service'
import { requestNotes } from './requestOutcome.ts'
import type { RequestOutcome } from './requestOutcome.ts'

/**
 * The listener's part of a request's access line (issue 16; @coilgun/service writes
 * it): outcome, codec, link bytes (`up`, sent to the sender), page bytes (`size`) and
 * origin time (`ot`).
 */
export function listenerAccessLine (raw: IncomingMessage, status: number): AccessLine<RequestOutcome> {
  const note = requestNotes.get(raw)
  return {
    outcome: note?.outcome ?? (status >= 500 ? 'error' : 'rejected'),
    codec: note?.codec,
    up: note?.linkBytes,
    size: note?.size,
    ot: wholeMs(note?.originMs),
    why: note?.why
  }
}
