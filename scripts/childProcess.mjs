// Shared by scripts/pnpm.mjs and scripts/start.mjs: run one child as if it were this
// process (issue 15). SIGINT, SIGTERM and SIGHUP are passed to it (a Ctrl-C reaches it
// from the terminal too; a repeat is harmless, and a signal sent to this process alone,
// kill -TERM or npm stopping us, reaches the child only this way), and this process
// exits only when the child has: with its exit code, or by the same signal.

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** Makes this process stand for `child`; `what` names it in the spawn-failure line. */
export function becomeChild (child, what) {
  function forward (signal) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward)
  child.on('error', function onSpawnError (err) {
    console.error(`coilgun: could not run ${what}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', function onChildExit (code, signal) {
    if (signal !== null) {
      // Die of the same signal, so that whoever waits on us sees what happened.
      for (const s of FORWARDED_SIGNALS) process.off(s, forward)
      process.kill(process.pid, signal)
      return
    }
    process.exit(code ?? 1)
  })
}
