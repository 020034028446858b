import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { test } from 'node:test'
import { LinkRelay } from '../wan/linkRelay.ts'

// The relay (bench/wan/linkRelay.ts) over real loopback sockets: every byte arrives
// intact and is counted in its direction, and nothing arrives earlier than the
// link allows. Only lower bounds on time are asserted: the relay can never beat
// its link, but a busy machine can always make it later.

async function listen (server: Server): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** Client first, then the relay, then the server: a server closes once its connections have. */
async function closeAll (socket: Socket, relay: LinkRelay, server: Server): Promise<void> {
  socket.destroy()
  await relay.close()
  await new Promise<void>(resolve => server.close(() => resolve()))
}

function receive (socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let got = 0
    function onData (chunk: Buffer): void {
      chunks.push(chunk)
      got += chunk.length
      if (got >= bytes) {
        socket.off('data', onData)
        resolve(Buffer.concat(chunks))
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
}

test('the relay delivers every byte, counts it once per direction and never beats the link', async (t) => {
  const server = createServer(function echo (socket: Socket) { socket.pipe(socket) })
  const port = await listen(server)
  const link = { mbitPerS: 20, rttMs: 40, burstBytes: 1514 }
  const relay = new LinkRelay(link, [{ host: '127.0.0.1', port }])
  const [relayPort] = await relay.listen()
  // First exchange: the emulated handshake (one round trip) and then the round trip
  // itself. The clock starts before the connection exists: the relay's handshake clock
  // starts at its accept, and a late start here could only shorten what is measured.
  const connectedAt = performance.now()
  const socket = connect({ host: '127.0.0.1', port: relayPort! })
  t.after(() => closeAll(socket, relay, server))
  await new Promise<void>(resolve => socket.once('connect', resolve))
  const first = receive(socket, 1)
  socket.write('x')
  await first
  assert.ok(performance.now() - connectedAt >= 2 * link.rttMs - 1, 'a new connection pays the handshake')

  const payload = Buffer.alloc(250_000)
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff
  const started = performance.now()
  const echoed = receive(socket, payload.length)
  socket.write(payload)
  const back = await echoed
  const elapsed = performance.now() - started
  assert.ok(back.equals(payload), 'the bytes come back intact and in order')
  // Up and down are paced separately but the echo overlaps them: at least one round
  // trip plus the payload's time at the link rate (12.5 ms per 31 KB at 20 Mbit/s).
  const floor = link.rttMs + payload.length * 8 / (link.mbitPerS * 1000)
  assert.ok(elapsed >= floor - 1, `${elapsed.toFixed(1)} ms is not below the floor of ${floor.toFixed(1)} ms`)

  const { routes, queuedBytes } = relay.snapshot()
  assert.equal(routes[0]!.up, 1 + payload.length)
  assert.equal(routes[0]!.down, 1 + payload.length)
  assert.equal(routes[0]!.connections, 1)
  assert.equal(queuedBytes, 0)
})

test('a connection cut mid-transfer leaves nothing queued on the link', async (t) => {
  const sink = createServer(function flood (socket: Socket) {
    socket.on('error', () => {})
    socket.resume()
    socket.write(Buffer.alloc(2_000_000))
  })
  const relay = new LinkRelay({ mbitPerS: 1, rttMs: 20, burstBytes: 1514 }, [{ host: '127.0.0.1', port: await listen(sink) }])
  const [relayPort] = await relay.listen()
  const socket = connect({ host: '127.0.0.1', port: relayPort! })
  t.after(() => closeAll(socket, relay, sink))
  await new Promise<void>(resolve => socket.once('connect', resolve))
  socket.write('go')
  await new Promise(resolve => setTimeout(resolve, 200))
  assert.ok(relay.snapshot().queuedBytes > 0, 'the flood queues at 1 Mbit/s')
  socket.destroy()
  for (let i = 0; i < 100 && relay.snapshot().routes[0]!.open > 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
  const after = relay.snapshot()
  assert.equal(after.queuedBytes, 0)
  assert.equal(after.backlogMs.down, 0, 'the cut connection\'s bytes no longer hold the link')
  assert.ok(after.routes[0]!.down < 2_000_000, 'undelivered bytes are not counted')
})
