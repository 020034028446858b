import { ConfigError } from '@coilgun/core'

/**
 * The one line printed when a service cannot start for a reason the operator must
 * fix (issue 16: a busy port printed a raw stack trace), or undefined for a bug
 * (which keeps its stack trace).
 */
export function startupFailureLine (name: string, err: unknown): string | undefined {
  if (err instanceof ConfigError) return `${name}: ${err.message}`
  const e = err as NodeJS.ErrnoException & { address?: string, port?: number }
  const where = e.address === undefined ? '' : ` ${e.address.includes(':') ? `[${e.address}]` : e.address}:${String(e.port)}`
  if (e.code === 'EADDRINUSE') return `${name}: cannot listen on${where}: the address is already in use (another process holds the port; set COILGUN_LISTEN or COILGUN_ADMIN_LISTEN)`
  if (e.code === 'EACCES') return `${name}: cannot listen on${where}: permission denied (ports below 1024 need privileges)`
  if (e.code === 'EADDRNOTAVAIL') return `${name}: cannot listen on${where}: no such local address`
  return undefined
}
