import { renderMethodTemplate } from '../methodTemplate.ts'
import { plural } from './wanFormat.ts'
import type { WanRecord } from './wanRecord.ts'

/** "How it was measured", under the WAN tables. */
export function renderMethod (record: WanRecord, level: number): string {
  const s = record.settings
  const l = record.link
  return renderMethodTemplate('wan', level, {
    acceptEncoding: String(s.visitorHeaders['accept-encoding']),
    mbitPerS: l.mbitPerS,
    burstBytes: l.burstBytes,
    halfRttMs: l.rttMs / 2,
    connections: s.connections,
    rounds: plural(s.rounds, 'round'),
    durationS: s.durationS,
    warmupS: s.warmupS,
    cores: record.cores,
    startRate: s.capacity.startRate,
    refineSteps: s.capacity.refineSteps,
    refineStepsPlural: s.capacity.refineSteps === 1 ? '' : 's',
    maxSteps: s.capacity.maxSteps,
    upstreamConnections: s.upstreamConnections,
    rttMs: l.rttMs,
    capacityCap: Math.round(s.upstreamConnections * 1000 / l.rttMs)
  })
}
