import { ConfigError } from '@coilgun/core'

/**
 * Issue 16: `COILGUN_CODECS=dcz` on a Node without zstd started and answered `full`
 * forever with one info line. A configuration that leaves no codec this runtime can
 * run is an error at start, naming the variable and why each codec is unavailable.
 */
export function assertUsableCodecs (variable: string, codecs: Iterable<{ readonly name: string, readonly available: boolean, readonly unavailableReason?: string | undefined }>): void {
  const all = [...codecs]
  if (all.some(c => c.available)) return
  const reasons = all.map(c => `${c.name}: ${c.unavailableReason ?? 'unavailable'}`).join('; ')
  throw new ConfigError(variable, `at least one codec this Node ${process.version} can run (${reasons})`, all.map(c => c.name).join(','))
}
