import { ERR_INVALID_OPTION } from './errors.ts'

/**
 * `value` when it is a safe integer from `min` to `max`, else a coded
 * {@link ERR_INVALID_OPTION} naming the option: the one check behind every integer
 * option of core, its store and `@coilgun/redis` (issue 14). Options are validated
 * once, when they are resolved (STYLE rule 3).
 */
export function integerOption (name: string, value: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`
    throw new ERR_INVALID_OPTION(name, `expected an integer ${range}, got ${String(value)}`)
  }
  return value
}
