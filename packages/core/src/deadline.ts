/** What {@link withDeadline} resolves to when the command took too long. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/**
 * The store command's outcome, or {@link TIMED_OUT} after `ms`: the one deadline
 * of every version-store call (issue 14), used by the origin's store guard and by
 * the Redis store. A store bounds its commands itself: an injected client may have
 * no timeout, and a Redis cluster can hold a command back (slot refresh,
 * redirections) before any per-connection timer starts. A late reply or rejection
 * is absorbed; the timer does not keep the process alive.
 *
 * When the timer fires, the verdict waits for one more turn of the event loop
 * (setImmediate runs after the poll phase): if our own thread was busy (a long
 * encode, a GC pause) while the store answered in time, the reply is already in
 * the socket and is read first, so a busy process does not count the store as slow.
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
