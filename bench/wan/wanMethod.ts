import { plural } from './wanFormat.ts'
import type { WanRecord } from './wanRecord.ts'

/** "How it was measured", under the WAN tables. */
export function renderMethod (record: WanRecord, level: number): string {
  const s = record.settings
  const l = record.link
  return [
    `${'#'.repeat(level)} How it was measured`,
    '',
    `- **Topology**, per contender: visitors (undici clients in the bench process) → edge on loopback → emulated link → origin, every edge, origin and the relay in its own process. The origin is a Fastify app replaying the corpus, one resource per set (\`bench/wan/origin.ts\`); each resource moves to its next version on a schedule, forth and back through the captures so every change is between consecutive versions. Visitors send \`Accept-Encoding: ${s.visitorHeaders['accept-encoding']}\`; every answer of the replay is decoded and compared byte for byte with the version the origin served.`,
    `- **The link** (\`bench/wan/linkRelay.ts\`): a TCP relay that paces each direction through one token bucket (${l.mbitPerS} Mbit/s, ${l.burstBytes} B deep, shared by all connections, first in first out) and then holds every byte ${l.rttMs / 2} ms; a new connection's first bytes wait one extra round trip (the TCP handshake). It emulates the pipe, not TCP over it: no slow start, no loss, so it flatters the contenders that send the most. Bytes are counted when delivered. It is checked before every run: bulk transfers each way must reach the set rate within 10%, a 1-byte exchange must take the set round trip, and the relay must count the bulk bytes exactly; unit tests check the pacing arithmetic with a made-up clock (\`bench/test/wan-link-paces-at-the-set-rate.test.ts\`) and the relay's byte counts over real sockets (\`bench/test/wan-relay-counts-every-byte.test.ts\`).`,
    `- **Bytes and idle latency**: every version of every set, one request at a time (each request finds a new version), the link idle and the connections warm; the first request of each set only primes the edge. Floor of a request = one round trip + its request and answer bytes at the link rate.`,
    `- **Fixed concurrency**: ${s.connections} closed-loop visitors asking for the resources in turn; ${plural(s.rounds, 'round')} of ${s.durationS} s, contenders alternating (order reversed every other round) after an untimed ${s.warmupS} s run each; medians over rounds. **CPU ms/req**: user + system CPU of the edge process and of the origin process (workers included) over the run, divided by the requests the visitors completed. All processes share the machine's ${record.cores} cores, so CPU per request is the figure that carries to other machines, not req/s.`,
    `- **Capacity**: open-loop steps at rates doubling from ${s.capacity.startRate} req/s (two significant digits), then up to ${s.capacity.refineSteps} geometric bisection${s.capacity.refineSteps === 1 ? '' : 's'} between the last rate sustained and the first not, at most ${s.capacity.maxSteps} steps; contenders take turns step by step, and the link is drained between steps. Each edge has ${s.upstreamConnections} connections to its origin, which caps any contender near ${s.upstreamConnections} × 1000 / ${l.rttMs} ≈ ${Math.round(s.upstreamConnections * 1000 / l.rttMs)} req/s on this link whatever it sends (one request per connection per round trip).`,
    '- Ratios are to the baseline of the same run; absolute times depend on this shared machine. Raw results per change, round and step are in `bench/results/wan.json`.'
  ].join('\n')
}
