/** Polls `check` every 20 ms until it returns true; throws `what` after `timeoutMs`. */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** How long `work` took, in ms, with its result. */
export async function timed<T> (work: () => Promise<T>): Promise<{ ms: number, value: T }> {
  const start = performance.now()
  const value = await work()
  return { ms: performance.now() - start, value }
}
