import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { FastifyBaseLogger } from 'fastify'
import { upstreamRequestHeaders, UpgradeTunnels, viaEntry } from '@coilgun/service'
import type { UpstreamTlsOptions } from './upstreamTlsReload.ts'
import type { SenderConfig } from './config.ts'
import type { SenderMetrics } from './metrics.ts'
import type { UpstreamPools } from './upstreamPool.ts'

/**
 * WebSockets and other upgrades through the sender (issue 13): each goes to an
 * upstream in rotation with the visitor's Host and headers, like any passthrough
 * request, and the visitor sees `101` only after the upstream sent it.
 */
export function buildSenderUpgrades (config: SenderConfig, pools: UpstreamPools, metrics: SenderMetrics, log: FastifyBaseLogger, tls: UpstreamTlsOptions = { ca: config.upstreamCa, cert: config.upstreamCert, key: config.upstreamKey }): UpgradeTunnels {
  return new UpgradeTunnels({
    route: function upgradeUpstream () {
      const index = pools.pick()
      return { url: pools.origin(index), onConnectFailure: function markUpstreamDown () { pools.markDown(index, 'unreachable') } }
    },
    headers: function upgradeRequestHeaders (req: IncomingMessage) {
      const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http'
      return upstreamRequestHeaders(req.headers, { ip: req.socket.remoteAddress ?? '', proto, host: req.headers.host, via: config.via === undefined ? undefined : viaEntry(req.httpVersion, config.via) }, config.trustProxy, false)
    },
    handshakeTimeoutMs: config.upstreamTimeoutMs,
    // Read at each connection: SIGHUP may change it (upstreamTlsReload.ts, issue 16).
    tls,
    log,
    outcome: function countUpgrade (outcome, kind) {
      if (outcome === 'error') {
        if (kind !== undefined) metrics.upstreamErrors.inc({ kind })
        metrics.countRequest('error', kind === 'timeout' ? 504 : 502)
      } else {
        metrics.countRequest('passthrough', 101)
      }
    }
  })
}
