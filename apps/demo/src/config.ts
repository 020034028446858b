import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { envDurationMs, envInteger } from '@coilgun/service'
import type { Env } from '@coilgun/service'

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
    originPort: envInteger(env, 'COILGUN_DEMO_ORIGIN_PORT', 0, 0, 65535),
    // Durations accept units (`4s`, `1.5s`, `2m`) as the apps' do; a plain number is ms.
    changeMs: envDurationMs(env, 'COILGUN_DEMO_CHANGE_MS', DEFAULT_CHANGE_MS, 50, 3_600_000),
    visitMs: envDurationMs(env, 'COILGUN_DEMO_VISIT_MS', DEFAULT_VISIT_MS, 10, 3_600_000),
    durationMs: envDurationMs(env, 'COILGUN_DEMO_DURATION_MS', 0, 0, 86_400_000),
    visits: envInteger(env, 'COILGUN_DEMO_VISITS', 0, 0, 1_000_000),
    corpusDir: env.COILGUN_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'corpus')
  })
}
