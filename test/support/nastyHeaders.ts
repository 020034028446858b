/**
 * Forged and malformed protocol headers (issue 3): each must leave the response
 * correct, either the full page or a delta that rebuilds it. Values are what an
 * attacker or a broken client could put on the wire.
 */
export const NASTY_HEADER_VALUES: ReadonlyArray<{ name: string, headers: Record<string, string> }> = [
  { name: 'A-IM empty', headers: { 'a-im': '' } },
  { name: 'A-IM unknown IM', headers: { 'a-im': 'diffe, bsdiff' } },
  { name: 'A-IM q=0', headers: { 'a-im': 'vcdiff;q=0' } },
  { name: 'A-IM garbage', headers: { 'a-im': ';;;,,,=' } },
  { name: 'A-IM huge list', headers: { 'a-im': 'vcdiff,'.repeat(2000) } },
  { name: 'A-IM quoted junk', headers: { 'a-im': 'vcdiff;x="unterminated' } },
  { name: 'If-None-Match star', headers: { 'a-im': 'vcdiff', 'if-none-match': '*' } },
  { name: 'If-None-Match weak cg tag', headers: { 'a-im': 'vcdiff', 'if-none-match': 'W/"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' } },
  { name: 'If-None-Match unknown cg tag', headers: { 'a-im': 'vcdiff', 'if-none-match': '"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' } },
  { name: 'If-None-Match short cg tag', headers: { 'a-im': 'vcdiff', 'if-none-match': '"cg-AAAA"' } },
  { name: 'If-None-Match unquoted', headers: { 'a-im': 'vcdiff', 'if-none-match': 'cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
  { name: 'If-None-Match path traversal', headers: { 'a-im': 'vcdiff', 'if-none-match': '"../../etc/passwd"' } },
  { name: 'If-None-Match many tags', headers: { 'a-im': 'vcdiff', 'if-none-match': Array.from({ length: 500 }, (_, i) => `"t${i}"`).join(', ') } },
  { name: 'If-None-Match stray quotes', headers: { 'a-im': 'vcdiff', 'if-none-match': '"a"b"c", ""cg-"' } },
  { name: 'Available-Dictionary not base64', headers: { 'accept-encoding': 'dcz, dcb', 'available-dictionary': ':!!!!:' } },
  { name: 'Available-Dictionary wrong length', headers: { 'accept-encoding': 'dcz, dcb', 'available-dictionary': ':AAAA:' } },
  { name: 'Available-Dictionary unknown hash', headers: { 'accept-encoding': 'dcz, dcb', 'available-dictionary': `:${Buffer.alloc(32, 9).toString('base64')}:` } },
  { name: 'Available-Dictionary token', headers: { 'accept-encoding': 'dcz, dcb', 'available-dictionary': 'sha-256' } },
  { name: 'Available-Dictionary without accept', headers: { 'accept-encoding': 'identity', 'available-dictionary': `:${Buffer.alloc(32, 1).toString('base64')}:` } },
  { name: 'Accept-Encoding all q=0', headers: { 'accept-encoding': '*;q=0, identity;q=0' } },
  { name: 'Accept-Encoding bad q', headers: { 'accept-encoding': 'br;q=abc, gzip;q=5' } },
  { name: 'Accept-Encoding unknown only', headers: { 'accept-encoding': 'compress, x-foo' } },
  { name: 'Delta-Base in request', headers: { 'delta-base': '"cg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' } },
  { name: 'everything at once', headers: { 'a-im': 'vcdiff, gzip, vcdiff;q=0', 'if-none-match': '"x", W/"y", *', 'accept-encoding': 'dcz;q=1.0, dcb;q=0.5, *', 'available-dictionary': ':Zm9v:' } }
]
