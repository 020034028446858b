import type { ChildProcess } from 'node:child_process'

// The bench's child processes (servers, the WAN relay) answer over IPC. These are the
// two things the bench does with each of them: wait for a message, and end it.

export interface AwaitMessageOptions {
  readonly timeoutMs: number
  /** The error when nothing came in time. */
  readonly timeout: () => string
  /** The error when the child exited first. */
  readonly exited: (code: number | null, signal: NodeJS.Signals | null) => string
  /** Kill the child when waiting fails (it never became usable). */
  readonly killOnFailure?: boolean
}

/**
 * Resolves with what `pick` makes of the first IPC message from `child` it accepts
 * (anything but undefined); rejects when the time is up or the child exits first.
 */
export function awaitChildMessage<M, R> (child: ChildProcess, pick: (message: M) => R | undefined, options: AwaitMessageOptions): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(options.timeout())), options.timeoutMs)
    function done (err: Error | undefined, value?: R): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (err === undefined) {
        resolve(value as R)
        return
      }
      if (options.killOnFailure === true) child.kill()
      reject(err)
    }
    function onMessage (message: M): void {
      const value = pick(message)
      if (value !== undefined) done(undefined, value)
    }
    function onExit (code: number | null, signal: NodeJS.Signals | null): void {
      done(new Error(options.exited(code, signal)))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Ends a child: closing its IPC channel makes it exit; SIGTERM without one, SIGKILL if it lingers. */
export async function closeChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    if (child.connected) child.disconnect()
    else child.kill('SIGTERM')
  })
}
