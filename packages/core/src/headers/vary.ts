/**
 * Adds `ours` (a `, `-separated list of field names) to the application's `Vary`,
 * without repeating a member the application already names (field names are
 * case-insensitive, RFC 9110 section 5.1). A `Vary` with a `*` member stays `*`:
 * RFC 9110 section 12.5.5 says `*` means anything about the request may select the
 * response, which already covers our members, and `*` is not combined with names.
 */
export function mergeVary (app: string | string[] | undefined, ours: string): string {
  const joined = Array.isArray(app) ? app.join(', ') : app
  if (joined === undefined || joined.trim() === '') return ours
  const members = joined.split(',').map(m => m.trim()).filter(m => m !== '')
  if (members.includes('*')) return '*'
  const seen = new Set(members.map(m => m.toLowerCase()))
  for (const m of ours.split(',').map(m => m.trim())) {
    if (!seen.has(m.toLowerCase())) members.push(m)
  }
  return members.join(', ')
}
