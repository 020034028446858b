/** What {@link withDeadline} resolves to when the command took too long. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/**
 * The command's outcome, or {@link TIMED_OUT} after `ms`. The store bounds every
 * command itself: an injected client may have no timeout, and a cluster can hold a
 * command back (slot refresh, redirections) before any per-connection timer starts.
 * A late reply or rejection is absorbed.
 *
 * When the timer fires, the verdict waits for one more turn of the event loop
 * (setImmediate runs after the poll phase): if our own thread was busy (a long
 * encode, a GC pause) while Redis answered in time, the reply is already in the
 * socket and is read first, so a busy process does not count Redis as slow.
 */
export function withDeadline<T> (command: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise<T | typeof TIMED_OUT>((resolve, reject) => {
    function expire (): void {
      setImmediate(resolve, TIMED_OUT)
    }
    const timer = setTimeout(expire, ms)
    timer.unref()
    command.then(function commandSettled (value) {
      clearTimeout(timer)
      resolve(value)
    }, function commandFailed (err: unknown) {
      clearTimeout(timer)
      reject(err)
    })
  })
}
