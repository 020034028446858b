import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { loadCodecs } from '../codecs/registry.ts'
import { ERR_ENCODER_WORKER } from '../errors.ts'
import { chooseEncoding } from '../policy/chooseEncoding.ts'
import { compressFullBody } from './fullBody.ts'
import { ownedBytes } from '../ownedBytes.ts'
import type { EncodeTask, EncodeTaskResult } from './encoderPool.ts'

// Runs delta encoding and full-body compression off the main thread (issue 3: a
// 400 KB page costs 10-15 ms of CPU, far more than an event loop should stall).

const port = parentPort
if (port === null) throw new ERR_ENCODER_WORKER('encoderWorker.ts must run in a worker thread')
const data = workerData as { codecs: string[], nice: number }
const codecs = await loadCodecs(data.codecs)
// Issue 12: the large lane's encodes are batch work; at a lower priority they take
// the CPU that ordinary pages leave, instead of delaying them. On Linux the nice
// value of pid 0 is the calling thread's; elsewhere it may apply to the process, so
// only the large lane asks, and a refusal changes nothing but the priority.
if (data.nice > 0) {
  try { setPriority(0, data.nice) } catch { /* not permitted here: normal priority */ }
}

port.on('message', function onEncodeTask (task: EncodeTask) {
  let result: EncodeTaskResult
  try {
    if (task.kind === 'full') {
      const body = compressFullBody(task.target, task.coding)
      result = { id: task.id, ok: true, body, codec: undefined, secondary: undefined }
    } else {
      const chosen = chooseEncoding({
        base: task.base,
        baseHash: task.baseHash,
        target: task.target,
        codecs: task.codecs.map(name => codecs.get(name)!).filter(c => c !== undefined),
        fullSize: task.fullSize,
        secondaryCompression: task.secondaryCompression
      })
      result = chosen === undefined
        ? { id: task.id, ok: true, body: undefined, codec: undefined, secondary: undefined }
        : { id: task.id, ok: true, body: chosen.body, codec: chosen.codec, secondary: chosen.secondary }
    }
  } catch (err) {
    result = { id: task.id, ok: false, error: (err as Error).message }
  }
  // postMessage clones a view's whole ArrayBuffer (zlib's output of a small body is
  // a slice of a 16 KiB chunk): send a buffer that holds exactly the result, moved
  // rather than copied (issue 12).
  if (result.ok && result.body !== undefined) result.body = ownedBytes(result.body)
  port.postMessage(result, result.ok && result.body !== undefined ? [result.body.buffer as ArrayBuffer] : [])
})
port.postMessage({ ready: true })
