import { ConfigError, envInteger } from '@coilgun/core'
import type { Env } from '@coilgun/core'
import type { RedisVersionStoreOptions } from './redisStoreOptions.ts'
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_LRU_MAX_BYTES, DEFAULT_MAX_VERSION_BYTES, DEFAULT_PREFIX, DEFAULT_PRIVATE_TTL_SECONDS, DEFAULT_TTL_SECONDS, parseClusterNode, redactUrl, validateRedisUrl } from './redisStoreOptions.ts'

// The environment variables of the Redis store, for coilgun-listener (and any app
// configured by environment). The app's config.ts passes its env here; nothing in
// this package reads process.env itself (STYLE rule 3).

/** Every variable {@link redisStoreOptionsFromEnv} reads, for documentation and checks. */
export const REDIS_ENV_VARIABLES: readonly string[] = Object.freeze([
  'COILGUN_REDIS_URL',
  'COILGUN_REDIS_CLUSTER',
  'COILGUN_REDIS_PREFIX',
  'COILGUN_REDIS_TTL_SECONDS',
  'COILGUN_PRIVATE_TTL_SECONDS',
  'COILGUN_REDIS_TIMEOUT_MS',
  'COILGUN_REDIS_MAX_VERSION_BYTES',
  'COILGUN_REDIS_LRU_MAX_BYTES'
])

const URL_FORM = 'redis://[user:password@]host[:port][/db] or rediss://... (TLS)'
const CLUSTER_FORM = 'a comma-separated list of host:port (e.g. 10.0.0.5:7000,10.0.0.6:7000)'
const PREFIX_FORM = 'at most 128 visible ASCII characters without { or } (e.g. coilgun:)'

function present (env: Env, name: string): string | undefined {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim()
}

/**
 * Options for `createRedisVersionStore` from `COILGUN_REDIS_*` variables, or
 * undefined when neither `COILGUN_REDIS_URL` nor `COILGUN_REDIS_CLUSTER` is set (the
 * embedded store is then used). A bad value throws a `ConfigError`
 * (`COILGUN_ERR_INVALID_CONFIG`) whose message is one line naming the variable and
 * the expected form; a URL's credentials are never repeated in it.
 */
export function redisStoreOptionsFromEnv (env: Env): RedisVersionStoreOptions | undefined {
  const url = present(env, 'COILGUN_REDIS_URL')
  const cluster = present(env, 'COILGUN_REDIS_CLUSTER')
  if (url !== undefined && cluster !== undefined) {
    throw new ConfigError('COILGUN_REDIS_CLUSTER', 'to be unset when COILGUN_REDIS_URL is set (use one or the other)', cluster)
  }
  if (url === undefined && cluster === undefined) return undefined

  const options: RedisVersionStoreOptions = {}
  if (url !== undefined) {
    try {
      options.url = validateRedisUrl('COILGUN_REDIS_URL', url)
    } catch {
      throw new ConfigError('COILGUN_REDIS_URL', URL_FORM, redactUrl(url))
    }
  } else {
    const items = cluster!.split(',').map(s => s.trim()).filter(s => s !== '')
    if (items.length === 0) throw new ConfigError('COILGUN_REDIS_CLUSTER', CLUSTER_FORM, cluster)
    options.cluster = items.map(item => {
      try {
        return parseClusterNode('COILGUN_REDIS_CLUSTER', item)
      } catch {
        throw new ConfigError('COILGUN_REDIS_CLUSTER', CLUSTER_FORM, cluster)
      }
    })
  }

  const prefix = env.COILGUN_REDIS_PREFIX
  if (prefix !== undefined && prefix !== '') {
    if (prefix.length > 128 || !/^[\x21-\x7e]+$/.test(prefix) || /[{}]/.test(prefix)) throw new ConfigError('COILGUN_REDIS_PREFIX', PREFIX_FORM, prefix)
    options.prefix = prefix
  } else {
    options.prefix = DEFAULT_PREFIX
  }
  options.ttlSeconds = envInteger(env, 'COILGUN_REDIS_TTL_SECONDS', DEFAULT_TTL_SECONDS, 1, 365 * 24 * 60 * 60)
  // Issue 11: one variable for the private lifetime, whichever store the app uses.
  options.privateTtlSeconds = envInteger(env, 'COILGUN_PRIVATE_TTL_SECONDS', DEFAULT_PRIVATE_TTL_SECONDS, 1, 24 * 60 * 60)
  options.commandTimeoutMs = envInteger(env, 'COILGUN_REDIS_TIMEOUT_MS', DEFAULT_COMMAND_TIMEOUT_MS, 1, 60_000)
  options.maxVersionBytes = envInteger(env, 'COILGUN_REDIS_MAX_VERSION_BYTES', DEFAULT_MAX_VERSION_BYTES, 1, 512 * 1024 * 1024)
  options.lruMaxBytes = envInteger(env, 'COILGUN_REDIS_LRU_MAX_BYTES', DEFAULT_LRU_MAX_BYTES, 0)
  return options
}
