export type { RedisStoreStats } from './redisVersionStore.ts'
export { createRedisVersionStore, DEFAULT_READY_TIMEOUT_MS, RedisVersionStore } from './redisVersionStore.ts'
export type { RedisClusterNode, RedisConnectionOptions, RedisStoreLogger, RedisTarget, RedisVersionStoreOptions, ResolvedRedisStoreOptions } from './redisStoreOptions.ts'
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
  DEFAULT_LRU_MAX_BYTES,
  DEFAULT_MAX_VERSION_BYTES,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_PRIVATE_TTL_SECONDS,
  DEFAULT_TTL_SECONDS,
  MAX_REWRITE_INTERVAL_MS,
  resolveRedisStoreOptions
} from './redisStoreOptions.ts'
export { REDIS_ENV_VARIABLES, redisStoreOptionsFromEnv } from './redisStoreEnv.ts'
