import type { FieldValue } from '@coilgun/core'

// Issue 18 needs to know whether a response is private before it marks it as a
// visitor dictionary (RFC 9842 section 10: a dictionary built from one visitor's
// private page must never serve another). The same rule as issue 11's: private
// when Cache-Control says private or no-store, when the response sets a cookie,
// when it varies on Cookie or Authorization (or on everything), or when the
// request carried Authorization.

function list (value: FieldValue): string[] {
  const joined = typeof value === 'string' || value === undefined ? value : value.join(',')
  return joined === undefined ? [] : joined.split(',').map(m => m.trim().toLowerCase()).filter(m => m !== '')
}

export function isPrivateExchange (request: Record<string, FieldValue>, response: Record<string, FieldValue>): boolean {
  if (request.authorization !== undefined) return true
  if (response['set-cookie'] !== undefined) return true
  for (const d of list(response['cache-control'])) {
    const name = d.split('=', 1)[0]!.trim()
    if (name === 'private' || name === 'no-store') return true
  }
  for (const v of list(response.vary)) if (v === '*' || v === 'cookie' || v === 'authorization') return true
  return false
}
