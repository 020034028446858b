import { ConfigError, loadCodecs } from '@coilgun/core'
import type { CodecName } from '@coilgun/core'
import { handleCommandLine } from './commandLine.ts'
import type { AppName } from './configVariables.ts'
import { exitWhenIdle } from './exitProcess.ts'
import type { ProxyService } from './proxyServer.ts'
import { assertUsableCodecs } from './usableCodecs.ts'
import { startupFailureLine } from './startupFailure.ts'

/** Longest a stopping service waits for the requests in flight (COILGUN_SHUTDOWN_TIMEOUT_MS) before it exits anyway. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

export interface RunnableService {
  listen (): Promise<string>
  close (): Promise<void>
  readonly log: { info (obj: object, msg: string): void, warn (msg: string): void, warn (obj: object, msg: string): void }
  /**
   * Reads the file-based configuration again and applies it (SIGHUP); returns what
   * changed. Throws, leaving the running configuration in place, when it is invalid.
   */
  reload?: () => string[]
  /**
   * Requests still in flight (a ServerDrain's count); when the grace period runs out
   * they are cut and the process exits with EXIT_GRACE_EXPIRED.
   */
  inFlight?: () => number
}

/**
 * Exit code when the grace period (COILGUN_SHUTDOWN_TIMEOUT_MS) ran out before the
 * service closed: requests were cut, so a supervisor must not take it for a clean
 * stop (issue 12). 1 is also the code of an invalid configuration.
 */
export const EXIT_GRACE_EXPIRED = 1

/**
 * The process life of coilgun-sender and coilgun-listener: load the configuration
 * (one line and exit code 1 when it is invalid), start, and on SIGTERM/SIGINT stop
 * accepting, finish in-flight requests and exit 0 as soon as they are done (the
 * service closes idle keep-alive connections at once, see ServerDrain), or exit
 * with EXIT_GRACE_EXPIRED when the grace period cut requests.
 */
export async function runService<C extends { shutdownTimeoutMs: number }> (name: string, load: () => C, start: (config: C) => Promise<RunnableService>, describe: (config: C) => object): Promise<void> {
  let config: C
  try {
    config = load()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`)
      exitWhenIdle(1)
      return
    }
    throw err
  }
  let service: RunnableService | undefined
  let url: string
  try {
    service = await start(config)
    url = await service.listen()
  } catch (err) {
    // A busy port or a codec this Node cannot run: one line and exit 1 (issue 16).
    const line = startupFailureLine(name, err)
    if (line === undefined) throw err
    process.stderr.write(`${line}\n`)
    // What start() opened (pools, workers, timers) is closed, so the loop can empty.
    await service?.close().catch(() => {})
    exitWhenIdle(1)
    return
  }
  const running = service
  running.log.info({ url, ...describe(config) }, `${name} listening`)

  let stopping = false
  async function shutdown (signal: string): Promise<void> {
    if (stopping) return
    stopping = true
    running.log.info({ signal }, `${name}: stopping, finishing in-flight requests`)
    const timer = setTimeout(function forceExit () {
      running.log.info({ cut: running.inFlight?.() }, `${name}: grace period over, cutting requests in flight`)
      running.log.warn(`${name}: grace period over, exiting with code ${EXIT_GRACE_EXPIRED}`)
      process.exit(EXIT_GRACE_EXPIRED)
    }, config.shutdownTimeoutMs)
    timer.unref()
    await running.close()
    clearTimeout(timer)
    exitWhenIdle(0)
  }
  process.once('SIGTERM', function onSigterm () { void shutdown('SIGTERM') })
  process.once('SIGINT', function onSigint () { void shutdown('SIGINT') })
  // Issue 16: SIGHUP killed the process with nothing logged; it reloads what comes
  // from files, and a failed reload keeps the running configuration.
  process.on('SIGHUP', function onSighup () { reloadService(name, running) })
}

function reloadService (name: string, service: RunnableService): void {
  if (service.reload === undefined) {
    service.log.warn(`${name}: SIGHUP: nothing to reload`)
    return
  }
  try {
    const changes = service.reload()
    service.log.info({ changes }, changes.length === 0 ? `${name}: SIGHUP: reloaded, nothing changed` : `${name}: SIGHUP: reloaded ${changes.join('; ')}`)
  } catch (err) {
    // One line with the error's code (STYLE: coded errors), so a failed reload can be alerted on.
    const code = (err as { code?: unknown } | undefined)?.code
    service.log.warn(typeof code === 'string' ? { code } : {}, `${name}: SIGHUP: reload failed, keeping the running configuration: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export interface ProxyAppSpec<C> {
  readonly app: AppName
  /** `coilgun-sender` */
  readonly command: string
  /** One line for `--help`. */
  readonly summary: string
  readonly version: string
  /** Reads and validates the configuration from the environment (throws ConfigError). */
  readonly load: (env: NodeJS.ProcessEnv) => C
  readonly build: (config: C) => Promise<ProxyService<C>>
  /** What the start-up line says about the configuration. */
  readonly describe: (config: C) => object
}

/**
 * The whole `main` of coilgun-sender and coilgun-listener: the command line
 * (`--help`, `--version`, `--check`, which also checks that this Node runs the
 * configured codecs), then the service's life (runService) with SIGHUP reloads and
 * the drain's count of requests in flight. Configuration comes from the environment only.
 */
export async function runProxyApp<C extends { shutdownTimeoutMs: number, codecs: readonly CodecName[] }> (spec: ProxyAppSpec<C>): Promise<void> {
  const load = (): C => spec.load(process.env)
  const exitCode = await handleCommandLine(process.argv.slice(2), {
    app: spec.app,
    command: spec.command,
    summary: spec.summary,
    version: spec.version,
    env: process.env,
    load,
    verify: async function usableCodecs (config) { assertUsableCodecs('COILGUN_CODECS', (await loadCodecs(config.codecs)).values()) }
  })
  if (exitCode !== undefined) {
    exitWhenIdle(exitCode)
    return
  }
  await runService(spec.command, load, async function startProxyApp (config) {
    const service = await spec.build(config)
    return { listen: () => service.listen(), close: () => service.close(), log: service.app.log, reload: () => service.reload(load()), inFlight: () => service.drain.inFlight }
  }, spec.describe)
}
