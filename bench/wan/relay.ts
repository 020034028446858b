import { parseArgs } from 'node:util'
import { LinkRelay } from './linkRelay.ts'
import type { RelayTarget } from './linkRelay.ts'
import type { RelayMessage, SnapshotRequest } from './linkMessages.ts'

// The WAN relay in its own process (issue 7), so that pacing timers never wait on
// the load generator's or a server's event loop. Started by the bench:
//   node --import tsx wan/relay.ts --mbit 10 --rtt 80 --burst 1514 --target 127.0.0.1:4000 ...
// It announces one port per --target over IPC, answers `snapshot` requests, and
// exits when the bench goes away.

const { values } = parseArgs({
  options: {
    mbit: { type: 'string' },
    rtt: { type: 'string' },
    burst: { type: 'string' },
    target: { type: 'string', multiple: true, default: [] }
  }
})
if (process.send === undefined) throw new Error('the relay runs as a child of the bench, with an IPC channel')

function targetOf (hostPort: string): RelayTarget {
  const at = hostPort.lastIndexOf(':')
  return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
}

const relay = new LinkRelay({ mbitPerS: Number(values.mbit), rttMs: Number(values.rtt), burstBytes: Number(values.burst) }, values.target.map(targetOf))
const ports = await relay.listen()

function send (message: RelayMessage): void {
  process.send?.(message)
}

process.on('message', function onSnapshotRequest (message: SnapshotRequest) {
  if (message.type !== 'snapshot') return
  const cpu = process.cpuUsage()
  send({ type: 'snapshot', id: message.id, snapshot: relay.snapshot(), cpuMs: (cpu.user + cpu.system) / 1000 })
})
process.once('disconnect', function benchGone () {
  relay.close().finally(() => process.exit(0))
})
send({ type: 'ready', ports })
