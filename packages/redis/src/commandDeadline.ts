/** What {@link withDeadline} resolves to when the command took too long. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/**
 * The command's outcome, or {@link TIMED_OUT} after `ms`. The store bounds every
 * command itself, on top of ioredis' `commandTimeout`: an injected client may have
 * none, and a cluster can hold a command back (slot refresh, redirections) before
 * any per-connection timer starts. A late reply or rejection is absorbed.
 */
export function withDeadline<T> (command: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise<T | typeof TIMED_OUT>((resolve, reject) => {
    const timer = setTimeout(resolve, ms, TIMED_OUT)
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
