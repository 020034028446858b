/** A host (a name, IPv4, or IPv6 without its brackets) and a port. */
export interface HostPort { host: string, port: number }

/**
 * `host:port` or `[IPv6]:port`: the one parser behind the apps' listen addresses and
 * `@coilgun/redis`'s cluster nodes (issue 14). The host may be empty (`:8080`,
 * callers choose what that means); it never holds white space, `/` or `@` (a URL's
 * path or credentials). Undefined when `raw` is not that form or the port is over
 * 65535.
 */
export function splitHostPort (raw: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/@]*)):(\d{1,5})$/.exec(raw.trim())
  if (m === null) return undefined
  const port = Number(m[3])
  return port > 65535 ? undefined : { host: m[1] ?? m[2] ?? '', port }
}
