import { createDcbCodec, createDczCodec } from '@coilgun/core'

/** Why this runtime cannot encode RFC 9842 dcb or dcz for visitors; undefined when it can. */
export function visitorDictionariesUnavailable (): string | undefined {
  const dcb = createDcbCodec()
  const dcz = createDczCodec()
  if (dcb.available || dcz.available) return undefined
  return `${dcb.unavailableReason ?? 'dcb unavailable'}; ${dcz.unavailableReason ?? 'dcz unavailable'}`
}
