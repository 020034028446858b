import type { AppName } from './configVariables.ts'
import { formatHelp, unknownVariableWarnings } from './configVariables.ts'
import { ConfigError } from '@coilgun/core'
import type { Env } from '@coilgun/core'

// The command line of coilgun-sender and coilgun-listener (issue 16): the
// configuration stays in the environment; the arguments only ask for help, the
// version, or a check of the configuration without starting.

export interface CommandLineSpec<C> {
  readonly app: AppName
  /** `coilgun-sender` */
  readonly command: string
  readonly summary: string
  readonly version: string
  readonly env: Env
  /** Reads and validates the configuration (throws ConfigError). */
  readonly load: () => C
  /** Further checks that need more than the environment (codecs this Node can run); throws ConfigError. */
  readonly verify?: (config: C) => Promise<void>
  /** Where output goes (tests pass their own). */
  readonly out?: (text: string) => void
  readonly err?: (text: string) => void
}

/**
 * Handles `--help`/`-h`, `--version`/`-v` and `--check`; returns the exit code, or
 * undefined when the service should start. Warnings about unknown COILGUN_* variables
 * are printed in every case but help and version.
 */
export async function handleCommandLine<C> (argv: readonly string[], spec: CommandLineSpec<C>): Promise<number | undefined> {
  const out = spec.out ?? ((text: string) => { process.stdout.write(text) })
  const err = spec.err ?? ((text: string) => { process.stderr.write(text) })
  const flags = new Set(argv)
  for (const flag of flags) {
    if (!['--help', '-h', '--version', '-v', '--check'].includes(flag)) {
      err(`${spec.command}: unknown option "${flag}" (configuration comes from COILGUN_* variables; see --help)\n`)
      return 1
    }
  }
  if (flags.has('--help') || flags.has('-h')) {
    out(formatHelp(spec.app, spec.command, spec.summary))
    return 0
  }
  if (flags.has('--version') || flags.has('-v')) {
    out(`${spec.command} ${spec.version} (Node ${process.version})\n`)
    return 0
  }
  for (const warning of unknownVariableWarnings(spec.env)) err(`${spec.command}: warning: ${warning}\n`)
  if (!flags.has('--check')) return undefined
  try {
    const config = spec.load()
    await spec.verify?.(config)
    out(`${JSON.stringify(redactConfig(config), null, 2)}\n`)
    return 0
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${spec.command}: ${e.message}\n`)
      return 1
    }
    throw e
  }
}

const HIDDEN_KEY = /secret|password|^key$|Key$|token/i

/**
 * The configuration as JSON-able data with every secret hidden: secrets and keys by
 * name, PEM contents by shape (only their size is shown), passwords inside URLs.
 */
export function redactConfig (value: unknown, key = ''): unknown {
  if (value === undefined || value === null) return value ?? null
  if (typeof value === 'string') {
    if (HIDDEN_KEY.test(key)) return '(hidden)'
    if (value.includes('-----BEGIN')) return `(PEM, ${value.length} characters)`
    return redactUrlPassword(value)
  }
  if (Array.isArray(value)) return HIDDEN_KEY.test(key) ? `(hidden: ${value.length})` : value.map(v => redactConfig(v, key))
  if (value instanceof Map) return redactConfig(Object.fromEntries(value), key)
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'function') continue
      out[k] = redactConfig(v, k)
    }
    return out
  }
  return value
}

function redactUrlPassword (text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(text)) return text
  try {
    const url = new URL(text)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return text
  }
}
