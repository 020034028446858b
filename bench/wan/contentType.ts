/**
 * The Content-Type of a corpus set's resource, from the extension its set name
 * ends with (`fr-frontpage-html`, `calfire-incidents-json`): what the live site sent.
 */
export function contentTypeOf (setName: string): string {
  if (/json$/i.test(setName)) return 'application/json'
  if (/html?$/i.test(setName)) return 'text/html; charset=utf-8'
  if (/xml$/i.test(setName)) return 'application/xml'
  // The synthetic fallback page is HTML.
  return 'text/html; charset=utf-8'
}
