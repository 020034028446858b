import { ConfigError, parseOriginUrl } from '@coilgun/service'

// The listener's host map (issue 5, extended by issue 16): which origin answers for
// which Host. Keys are `default`, a host (`www.example.com`), a host with a port
// (`www.example.com:8080`), or a wildcard (`*.example.com`, optionally with a port)
// that matches any name below it (`a.example.com`, `a.b.example.com`) but not
// `example.com` itself. The most specific entry wins: host:port, host, then the
// longest wildcard (with the port before without), then `default` (in the spirit
// of Railgun's map.file and nginx's server_name order).

/** The host-map key that catches every Host not listed. */
export const DEFAULT_HOST = 'default'

export const MAP_FORM = 'a host map like "www.example.com=http://10.0.0.5:8080,*.example.com=http://10.0.0.6:8080,default=http://127.0.0.1:8080" (hosts may carry a :port)'

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const KEY = new RegExp(`^(?:default|(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?|\\[[0-9a-f:.]+\\](?::\\d{1,5})?)$`)

/**
 * Parses `host=url` entries (or `host url`, the file form) into a map; every
 * problem names `variable` (and the line, for a file).
 */
export function parseHostMap (variable: string, entries: ReadonlyArray<{ text: string, where?: string }>, whole: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const { text, where } of entries) {
    const m = /^([^=\s]+)\s*(?:=|\s)\s*(\S+)$/.exec(text.trim())
    const context = where === undefined ? whole : `${where}: ${text}`
    if (m === null) throw new ConfigError(variable, MAP_FORM, context)
    const host = m[1]!.toLowerCase().replace(/\.(?=(?::\d+)?$)/, '')
    if (!KEY.test(host)) throw new ConfigError(variable, `${MAP_FORM}; "${m[1]}" is not a host name, host:port or *.domain`, context)
    const port = /:(\d+)$/.exec(host)?.[1]
    if (port !== undefined && Number(port) > 65535) throw new ConfigError(variable, `${MAP_FORM}; port ${port} is out of range`, context)
    if (map.has(host)) throw new ConfigError(variable, `${MAP_FORM}, each host once ("${host}" is listed twice)`, context)
    map.set(host, parseOriginUrl(variable, m[2]!, context))
  }
  if (map.size === 0) throw new ConfigError(variable, MAP_FORM, whole)
  return map
}

/** Entries of a host-map file: one per line, `#` starts a comment. */
export function hostMapFileEntries (path: string, text: string): Array<{ text: string, where: string }> {
  const entries: Array<{ text: string, where: string }> = []
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*$/, '').trim()
    if (content !== '') entries.push({ text: content, where: `${path} line ${i + 1}` })
  })
  return entries
}

/**
 * The keys to try for a Host header value, most specific first (see the file
 * comment). Case-insensitive; a trailing dot is ignored.
 */
export function * hostCandidates (hostHeader: string | undefined): Generator<string> {
  if (hostHeader === undefined) { yield DEFAULT_HOST; return }
  let host = hostHeader.trim().toLowerCase()
  let port: string | undefined
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1
  if (bracket !== -1) {
    const rest = host.slice(bracket + 1)
    host = host.slice(0, bracket + 1)
    if (rest.startsWith(':')) port = rest.slice(1)
  } else {
    const colon = host.lastIndexOf(':')
    if (colon !== -1) {
      port = host.slice(colon + 1)
      host = host.slice(0, colon)
    }
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (port !== undefined && !/^\d{1,5}$/.test(port)) port = undefined
  // A generator: the lookup usually stops at the exact host, before any wildcard key is built.
  if (port !== undefined) yield `${host}:${port}`
  yield host
  if (bracket === -1) {
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const suffix = host.slice(dot + 1)
      if (port !== undefined) yield `*.${suffix}:${port}`
      yield `*.${suffix}`
    }
  }
  yield DEFAULT_HOST
}
