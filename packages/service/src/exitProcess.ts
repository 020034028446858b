/**
 * How long a process that has closed everything waits to exit by itself before
 * process.exit() makes it: long enough for the last sockets to finish closing, short
 * enough that a handle someone forgot does not keep a stopped service alive.
 */
export const EXIT_BACKSTOP_MS = 2000

/**
 * Ends the process with `code` the way Node ends one whose work is done: by letting the
 * event loop empty, not with process.exit().
 *
 * Why: process.exit() tears the V8 platform down while the isolate still lives, and on
 * Node 24 and 26 that can deadlock for ever when a background compile job (WebAssembly
 * tier-up of the VCDIFF codec, Maglev) is waiting for a garbage collection only the main
 * thread can run (nodejs/node#54918). `coilgun-sender --check` hung in about 1 run in
 * 30 that way on Node 26; with the loop left to empty it never did in 200 runs. The
 * natural exit disposes the isolate first, which stops those jobs cleanly.
 *
 * Call it once everything the process opened is closed; if something still holds the
 * loop after EXIT_BACKSTOP_MS, process.exit() ends it anyway (the timer itself does
 * not keep the process alive).
 */
export function exitWhenIdle (code: number, backstopMs = EXIT_BACKSTOP_MS): void {
  process.exitCode = code
  setTimeout(function exitAnyway () { process.exit(code) }, backstopMs).unref()
}
