import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { FastifyBaseLogger } from 'fastify'
import { upstreamRequestHeaders, UpgradeTunnels, viaEntry } from '@coilgun/service'
import type { ListenerConfig } from './config.ts'
import type { ListenerMetrics } from './metrics.ts'
import type { OriginPools } from './originPools.ts'

/**
 * WebSockets and other upgrades through the listener (issue 13): routed by the host
 * map like every other request, so a visitor's cookies for one site only ever
 * reach that site's origin; `101` is relayed only once the origin sent it.
 */
export function buildListenerUpgrades (config: ListenerConfig, pools: OriginPools, metrics: ListenerMetrics, log: FastifyBaseLogger): UpgradeTunnels {
  return new UpgradeTunnels({
    route: function upgradeOrigin (req: IncomingMessage) {
      const route = pools.route(req.headers.host)
      return route === undefined ? undefined : { url: route.url }
    },
    headers: function upgradeRequestHeaders (req: IncomingMessage) {
      const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http'
      return upstreamRequestHeaders(req.headers, { ip: req.socket.remoteAddress ?? '', proto, host: req.headers.host, via: config.via === undefined ? undefined : viaEntry(req.httpVersion, config.via) }, config.trustProxy, false)
    },
    handshakeTimeoutMs: config.originTimeoutMs,
    log,
    outcome: function countUpgrade (outcome, kind) {
      if (outcome === 'error') {
        if (kind === 'misdirected') {
          metrics.countRequest('misdirected', 421)
          return
        }
        if (kind !== undefined) metrics.originErrors.inc({ kind })
        metrics.countRequest('error', kind === 'timeout' ? 504 : 502)
      } else {
        metrics.countRequest('passthrough', 101)
      }
    }
  })
}
