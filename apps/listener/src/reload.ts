import { createSecureContext } from 'node:tls'
import type { Server as TlsServer } from 'node:tls'
import type { OriginResponder } from '@coilgun/core'
import type { ActiveHealthCheck } from '@coilgun/service'
import type { ListenerConfig } from './config.ts'
import type { OriginPools } from './originPools.ts'

/** What a reload may change on a running listener. */
export interface ReloadableListener {
  config: ListenerConfig
  readonly server: unknown
  readonly pools: OriginPools
  readonly responder: OriginResponder
  readonly health: ActiveHealthCheck
}

/**
 * Applies a configuration read again on SIGHUP (issue 16): what comes from files
 * (TLS certificate and key, client CA, host map, secrets). Everything is validated
 * before anything is applied, so a failed reload (a key that does not match its
 * certificate, a bad host map) throws and leaves the running configuration intact.
 * Open connections are not touched: a new certificate applies to new TLS
 * handshakes; origins that left the map finish their in-flight requests.
 * Returns what changed, for the log line (never a secret's value).
 */
export function reloadListener (target: ReloadableListener, next: ListenerConfig): string[] {
  const current = target.config
  const changes: string[] = []
  const tlsChanged = current.tls?.cert !== next.tls?.cert || current.tls?.key !== next.tls?.key || current.tlsClientCa !== next.tlsClientCa
  let secureContext: { cert: string, key: string, ca?: string } | undefined
  if (tlsChanged) {
    if (current.tls === undefined || next.tls === undefined) throw new Error('switching between HTTP and HTTPS (COILGUN_TLS_CERT set or unset) needs a restart')
    secureContext = { cert: next.tls.cert, key: next.tls.key, ...(next.tlsClientCa === undefined ? {} : { ca: next.tlsClientCa }) }
    // Throws for a key that does not match its certificate, or unreadable PEM.
    createSecureContext(secureContext)
  }
  const secretsChanged = current.secrets.length !== next.secrets.length || current.secrets.some((s, i) => s !== next.secrets[i])
  const mapChanges = hostMapChanges(current.origins, next.origins)

  if (secureContext !== undefined) {
    (target.server as TlsServer).setSecureContext(secureContext)
    changes.push(current.tlsClientCa !== next.tlsClientCa ? 'TLS certificate, key and client CA' : 'TLS certificate and key')
  }
  if (secretsChanged) {
    target.responder.replaceSecrets(next.secrets)
    changes.push(`secrets (${next.secrets.length} accepted)`)
  }
  if (mapChanges.length > 0) {
    target.pools.replace(next.origins)
    target.health.setTargets([...new Set(next.origins.values())])
    changes.push(`host map (${mapChanges.join(', ')})`)
  }
  target.config = next
  return changes
}

function hostMapChanges (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const [host, url] of after) {
    const was = before.get(host)
    if (was === undefined) out.push(`+${host}=${url}`)
    else if (was !== url) out.push(`${host}: ${was} -> ${url}`)
  }
  for (const host of before.keys()) if (!after.has(host)) out.push(`-${host}`)
  return out
}
