// The configuration error and the one environment parser that both the apps and
// @coilgun/redis's `redisStoreOptionsFromEnv` use. The apps' other environment
// parsers live in @coilgun/service (envValues.ts); nothing here reads process.env.

/** Environment variables as passed in by an app's config.ts. */
export type Env = Record<string, string | undefined>

/** A configuration problem: `message` is the one line printed before exit code 1. */
export class ConfigError extends Error {
  readonly code = 'COILGUN_ERR_INVALID_CONFIG'
  readonly variable: string
  constructor (variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}${got === undefined ? ', but it is not set' : `, got "${got.length > 80 ? got.slice(0, 77) + '...' : got}"`}`)
    this.variable = variable
  }
}

export function envInteger (env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const expected = `an integer from ${min} to ${max}`
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, expected, raw)
  const value = Number(raw.trim())
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ConfigError(name, expected, raw)
  return value
}
