import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { median } from '../codecsSummary.ts'
import type { LinkProcess } from './linkProcess.ts'
import { bytesPerMs } from './linkSettings.ts'

// Proof that the emulated link is what it claims (issue 7): a bulk transfer each
// way through the relay must reach the set rate within 10%, and a one-byte
// exchange must take the set round trip. A tiny TCP server in the bench process
// answers: 'p' echoes 'p'; 'd' + uint32 n sends n bytes; 'u' + uint32 n + n bytes
// answers 'k' once all have arrived.

/** Largest deviation from the set rate and RTT for the link to count as verified. */
export const LINK_TOLERANCE = 0.1

export interface LinkCheck {
  readonly pings: number
  /** Round trip of one byte on a warm connection: median and fastest of `pings`, ms. */
  readonly rttMedianMs: number
  readonly rttMinMs: number
  /** A new connection's first exchange: the emulated handshake's round trip and the ping's, ms. */
  readonly firstExchangeMs: number
  readonly bulkBytes: number
  /** Origin → edge and edge → origin rates of the bulk transfers, Mbit/s. */
  readonly downMbitPerS: number
  readonly upMbitPerS: number
  /** Bytes the relay counted for the download's answer and the upload, against the bytes sent. */
  readonly relayCountedDown: number
  readonly relayCountedUp: number
  readonly rateWithinTolerance: boolean
  readonly rttWithinTolerance: boolean
  readonly accountingExact: boolean
}

const HEADER_BYTES = 5

/** The check server: start it before the relay, which needs its port as a target. */
export async function startCheckServer (): Promise<{ server: Server, port: number }> {
  const server = createServer({ noDelay: true }, function checkConnection (socket: Socket) {
    let buffered = Buffer.alloc(0)
    let uploadLeft = 0
    socket.on('data', function checkData (chunk: Buffer) {
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        if (uploadLeft > 0) {
          const take = Math.min(uploadLeft, buffered.length)
          uploadLeft -= take
          buffered = buffered.subarray(take)
          if (uploadLeft > 0) return
          socket.write('k')
        }
        const command = buffered[0]
        if (command === undefined) return
        if (command === 0x70) { // 'p'
          buffered = buffered.subarray(1)
          socket.write('p')
          continue
        }
        if (buffered.length < HEADER_BYTES) return
        const n = buffered.readUInt32BE(1)
        buffered = buffered.subarray(HEADER_BYTES)
        if (command === 0x64) socket.write(Buffer.alloc(n, 0x61)) // 'd'
        else uploadLeft = n // 'u'
        if (uploadLeft === 0 && command !== 0x64) socket.write('k')
      }
    })
    socket.on('error', function ignoreCheckSocketError () {})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

/** Reads from `socket` until `bytes` have arrived; returns when the first and the last arrived. */
function receive (socket: Socket, bytes: number): Promise<{ firstAt: number, firstBytes: number, lastAt: number }> {
  return new Promise((resolve, reject) => {
    let got = 0
    let firstAt = 0
    let firstBytes = 0
    function onData (chunk: Buffer): void {
      if (got === 0) { firstAt = performance.now(); firstBytes = chunk.length }
      got += chunk.length
      if (got >= bytes) {
        socket.off('data', onData)
        socket.off('error', reject)
        resolve({ firstAt, firstBytes, lastAt: performance.now() })
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
}

function header (command: string, n: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES)
  b.write(command, 0)
  b.writeUInt32BE(n, 1)
  return b
}

function within (measured: number, set: number): boolean {
  return Math.abs(measured - set) <= LINK_TOLERANCE * set
}

/**
 * Measures the link through `route` of `link` (a route to the check server).
 * `bulkSeconds` sizes the bulk transfers: that long at the set rate.
 */
export async function checkLink (link: LinkProcess, route: number, pings: number, bulkSeconds: number): Promise<LinkCheck> {
  const settings = link.settings
  const connectStarted = performance.now()
  const socket = connect({ host: '127.0.0.1', port: link.ports[route]!, noDelay: true })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  try {
    const first = receive(socket, 1)
    socket.write('p')
    const firstExchangeMs = (await first).lastAt - connectStarted

    const rtts: number[] = []
    for (let i = 0; i < pings; i++) {
      const echo = receive(socket, 1)
      const sent = performance.now()
      socket.write('p')
      rtts.push((await echo).lastAt - sent)
    }
    const rttMedianMs = median(rtts)

    const bulkBytes = Math.max(256 * 1024, Math.round(bytesPerMs(settings) * bulkSeconds * 1000))
    let mark = await link.mark()
    const down = receive(socket, bulkBytes)
    socket.write(header('d', bulkBytes))
    const d = await down
    // From the first byte to the last: the round trip is not part of the rate.
    const downMbitPerS = (bulkBytes - d.firstBytes) * 8 / ((d.lastAt - d.firstAt) * 1000)
    const downUsage = await link.usageSince(mark, route)

    mark = await link.mark()
    const ack = receive(socket, 1)
    const upStarted = performance.now()
    socket.write(Buffer.concat([header('u', bulkBytes), Buffer.alloc(bulkBytes, 0x62)]))
    const upMs = (await ack).lastAt - upStarted - rttMedianMs
    const upMbitPerS = (bulkBytes + HEADER_BYTES) * 8 / (upMs * 1000)
    const upUsage = await link.usageSince(mark, route)

    return {
      pings,
      rttMedianMs,
      rttMinMs: Math.min(...rtts),
      firstExchangeMs,
      bulkBytes,
      downMbitPerS,
      upMbitPerS,
      relayCountedDown: downUsage.down,
      relayCountedUp: upUsage.up,
      rateWithinTolerance: within(downMbitPerS, settings.mbitPerS) && within(upMbitPerS, settings.mbitPerS),
      rttWithinTolerance: within(rttMedianMs, settings.rttMs),
      accountingExact: downUsage.down === bulkBytes && downUsage.up === HEADER_BYTES && upUsage.up === bulkBytes + HEADER_BYTES && upUsage.down === 1
    }
  } finally {
    socket.destroy()
  }
}
