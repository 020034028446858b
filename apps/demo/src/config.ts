import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

type Env = Record<string, string | undefined>

/** Where the sender listens when nothing is set: the README's URLs. */
export const DEFAULT_DEMO_LISTEN = '127.0.0.1:8080'
/** Where the sender's /metrics listens when nothing is set. */
export const DEFAULT_DEMO_ADMIN_LISTEN = '127.0.0.1:9090'
/** How often the page changes. @default 4000 */
export const DEFAULT_CHANGE_MS = 4000
/** Pause between the built-in visitor's requests. @default 1500 */
export const DEFAULT_VISIT_MS = 1500

/** The demo's settings; the one place it reads the environment (STYLE rule 3). */
export interface DemoConfig {
  /** The sender's visitor listener (`COILGUN_LISTEN`), `host:port`; any free port when this one is taken. */
  readonly listen: string
  /** The sender's `/metrics` listener (`COILGUN_ADMIN_LISTEN`), `host:port` or `off`. */
  readonly adminListen: string
  /** The origin's port (`COILGUN_DEMO_ORIGIN_PORT`); 0 picks a free one. @default 0 */
  readonly originPort: number
  /** `COILGUN_DEMO_CHANGE_MS`. @default 4000 */
  readonly changeMs: number
  /** `COILGUN_DEMO_VISIT_MS`. @default 1500 */
  readonly visitMs: number
  /** Stop by itself after this long (`COILGUN_DEMO_DURATION_MS`); 0 runs until Ctrl-C. @default 0 */
  readonly durationMs: number
  /** Stop by itself after this many visits (`COILGUN_DEMO_VISITS`); 0 runs until Ctrl-C. @default 0 */
  readonly visits: number
  /** The corpus folder (`COILGUN_CORPUS`). @default ../shared/corpus beside the clone */
  readonly corpusDir: string
}

export function loadDemoConfig (env: Env): DemoConfig {
  return Object.freeze({
    listen: env.COILGUN_LISTEN ?? DEFAULT_DEMO_LISTEN,
    adminListen: env.COILGUN_ADMIN_LISTEN ?? DEFAULT_DEMO_ADMIN_LISTEN,
    originPort: integer(env, 'COILGUN_DEMO_ORIGIN_PORT', 0, 0, 65535),
    changeMs: integer(env, 'COILGUN_DEMO_CHANGE_MS', DEFAULT_CHANGE_MS, 50, 3_600_000),
    visitMs: integer(env, 'COILGUN_DEMO_VISIT_MS', DEFAULT_VISIT_MS, 10, 3_600_000),
    durationMs: integer(env, 'COILGUN_DEMO_DURATION_MS', 0, 0, 86_400_000),
    visits: integer(env, 'COILGUN_DEMO_VISITS', 0, 0, 1_000_000),
    corpusDir: env.COILGUN_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'corpus')
  })
}

/** A whole number from `min` to `max`, or the fallback when unset; a clear message naming the variable otherwise. */
function integer (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`)
  return value
}
