import type { Env } from '@coilgun/core'

// Every COILGUN_* variable that coilgun-sender or coilgun-listener reads, in one
// table (issue 16). `--help` prints an app's rows; a COILGUN_* variable that is in
// no row is a warning at start naming the closest one (`COILGUN_CACHE_MAX_BYTE` ->
// `COILGUN_CACHE_MAX_BYTES`). A new variable is one new row here, next to the
// config.ts line that reads it.

export type AppName = 'sender' | 'listener'

export interface ConfigVariable {
  readonly name: string
  readonly apps: readonly AppName[]
  /** As printed by --help ('' when unset by default). */
  readonly default: string
  readonly meaning: string
}

const S: readonly AppName[] = ['sender']
const L: readonly AppName[] = ['listener']
const B: readonly AppName[] = ['sender', 'listener']

export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  { name: 'COILGUN_UPSTREAM', apps: S, default: '(required)', meaning: 'origin URL(s), http(s)://host[:port], comma-separated' },
  { name: 'COILGUN_ORIGINS', apps: L, default: '', meaning: 'host map host=url,...[,default=url]; hosts may carry a port or start with *.' },
  { name: 'COILGUN_ORIGINS_FILE', apps: L, default: '', meaning: 'file with the host map, one host=url per line (# comments); reloaded on SIGHUP' },
  { name: 'COILGUN_ORIGIN', apps: L, default: '', meaning: 'a single origin for every host (instead of COILGUN_ORIGINS)' },
  { name: 'COILGUN_SECRET', apps: B, default: '(required)', meaning: 'shared secret, at least 16 visible ASCII characters' },
  { name: 'COILGUN_SECRET_FILE', apps: B, default: '', meaning: 'file holding the secret (instead of COILGUN_SECRET); on the listener further lines are previous secrets still accepted; reloaded on SIGHUP' },
  { name: 'COILGUN_PREVIOUS_SECRETS', apps: L, default: '', meaning: 'whitespace-separated secrets still accepted during a rotation' },
  { name: 'COILGUN_LISTEN', apps: B, default: '0.0.0.0:8080 (sender), 0.0.0.0:8081 (listener)', meaning: 'listener for visitors (sender) or senders (listener), host:port' },
  { name: 'COILGUN_ADMIN_LISTEN', apps: B, default: '127.0.0.1:9090 (sender), 127.0.0.1:9091 (listener)', meaning: '/healthz, /readyz and Prometheus /metrics; off disables' },
  { name: 'COILGUN_CACHE_MAX_BYTES', apps: S, default: '256MiB', meaning: 'bound of the version cache' },
  { name: 'COILGUN_STORE_MAX_BYTES', apps: L, default: '256MiB', meaning: 'embedded version store bound' },
  { name: 'COILGUN_MAX_BODY_BYTES', apps: B, default: '8MiB', meaning: 'largest page rebuilt (sender) or delta-encoded (listener)' },
  { name: 'COILGUN_CODECS', apps: B, default: 'vcdiff,dcz,dcb', meaning: 'codecs offered; at least one must run on this Node' },
  { name: 'COILGUN_LOG_LEVEL', apps: B, default: 'info', meaning: 'fatal, error, warn, info, debug, trace, silent' },
  { name: 'COILGUN_UPSTREAM_CONNECTIONS', apps: S, default: '32', meaning: 'keep-alive connections per upstream' },
  { name: 'COILGUN_UPSTREAM_TIMEOUT_MS', apps: S, default: '30s', meaning: 'longest wait for the origin\'s whole answer before 504' },
  { name: 'COILGUN_CONNECT_TIMEOUT_MS', apps: B, default: '5s', meaning: 'connect timeout before 502 (also bounds a health probe)' },
  { name: 'COILGUN_UPSTREAM_STREAM_CONNECTIONS', apps: S, default: '32', meaning: 'connections per upstream for streamed downloads, apart from the page path; all busy: 503 with Retry-After' },
  { name: 'COILGUN_UPSTREAM_QUEUE', apps: S, default: '1024', meaning: 'requests per upstream that may wait for a page connection (the wait counts against the upstream timeout); more: 503 at once' },
  { name: 'COILGUN_VISITOR_HEADERS_TIMEOUT_MS', apps: S, default: '20s', meaning: 'time a visitor has to send its request headers (slowloris)' },
  { name: 'COILGUN_VISITOR_SEND_TIMEOUT_MS', apps: S, default: '30s', meaning: 'a visitor that takes none of its answer for this long is cut (nginx send_timeout)' },
  { name: 'COILGUN_UPSTREAM_HTTP2', apps: S, default: 'auto', meaning: 'auto: HTTP/2 to an https:// upstream that picks h2 by ALPN, else HTTP/1.1 (one request per connection); on: the same, page lanes sized for HTTP/2 from the start; off: HTTP/1.1 only' },
  { name: 'COILGUN_UPSTREAM_CA', apps: S, default: '', meaning: 'PEM file of the CA that signs the origin\'s certificate (reloaded on SIGHUP)' },
  { name: 'COILGUN_UPSTREAM_CERT', apps: S, default: '', meaning: 'PEM client certificate (mutual TLS), with COILGUN_UPSTREAM_KEY; reloaded on SIGHUP' },
  { name: 'COILGUN_UPSTREAM_KEY', apps: S, default: '', meaning: 'PEM client key (mutual TLS), with COILGUN_UPSTREAM_CERT; reloaded on SIGHUP' },
  { name: 'COILGUN_DIAGNOSTIC_HEADER', apps: B, default: 'off (sender), on (listener)', meaning: 'add the Coilgun (Coilgun-Listener) diagnostic header; on the sender it is a compression oracle, see SECURITY.md' },
  { name: 'COILGUN_DIAGNOSTIC_TOKEN', apps: S, default: '', meaning: 'with the header on, only requests carrying Coilgun-Debug: <token> get it' },
  { name: 'COILGUN_SESSION_COOKIES', apps: S, default: '', meaning: 'cookies that identify a visitor (per-visitor bases of private pages); unset: the whole Cookie field' },
  { name: 'COILGUN_PRIVATE_PATHS', apps: B, default: '', meaning: 'paths whose answers are private whatever their headers say, comma-separated' },
  { name: 'COILGUN_PRIVATE_DELTAS', apps: B, default: 'on', meaning: 'per-visitor deltas for private pages; off: answered in full' },
  { name: 'COILGUN_PRIVATE_TTL_SECONDS', apps: L, default: '600', meaning: 'lifetime of private versions in the version store (embedded and Redis)' },
  { name: 'COILGUN_VISITOR_DICTIONARIES', apps: S, default: 'off', meaning: 'RFC 9842 deltas to visitors\' browsers (Use-As-Dictionary, dcb/dcz); needs Node >= 22.19' },
  { name: 'COILGUN_VISITOR_DICTIONARY_SWR', apps: S, default: '', meaning: 'seconds: dictionary pages without a freshness lifetime get max-age=0, stale-while-revalidate=<seconds>' },
  { name: 'COILGUN_TRUST_PROXY', apps: B, default: 'off (sender), on (listener)', meaning: 'trust the client\'s X-Forwarded-*, Forwarded, X-Real-IP, True-Client-IP, Via and X-Request-Id (only behind another proxy; the listener\'s client is normally the sender)' },
  { name: 'COILGUN_VIA', apps: B, default: 'coilgun-sender (sender), coilgun-listener (listener)', meaning: 'pseudonym added to Via on upstream requests; off adds none' },
  { name: 'COILGUN_SHUTDOWN_TIMEOUT_MS', apps: B, default: '10s', meaning: 'grace period for in-flight requests on SIGTERM' },
  { name: 'COILGUN_HEALTH_CHECK_INTERVAL_MS', apps: B, default: '5s', meaning: 'time between two active health probes of each upstream/origin' },
  { name: 'COILGUN_HEALTH_CHECK_UNHEALTHY_THRESHOLD', apps: B, default: '2', meaning: 'consecutive failed probes that mark an upstream/origin unhealthy' },
  { name: 'COILGUN_HEALTH_CHECK_HEALTHY_THRESHOLD', apps: B, default: '1', meaning: 'consecutive good probes that mark it healthy again' },
  { name: 'COILGUN_TLS_CERT', apps: B, default: '', meaning: 'serve HTTPS with this PEM certificate (sender: ALPN h2 and http/1.1 for visitors; reloaded on SIGHUP)' },
  { name: 'COILGUN_TLS_KEY', apps: B, default: '', meaning: 'PEM key of COILGUN_TLS_CERT (reloaded on SIGHUP)' },
  { name: 'COILGUN_TLS_CLIENT_CA', apps: L, default: '', meaning: 'require client certificates signed by this CA (mutual TLS)' },
  { name: 'COILGUN_ENCODE_WORKERS', apps: L, default: '1 on multi-core machines, else 0', meaning: 'encoder worker threads (0: encode inline)' },
  { name: 'COILGUN_ORIGIN_CONNECTIONS', apps: L, default: '64', meaning: 'keep-alive connections per origin' },
  { name: 'COILGUN_ORIGIN_TIMEOUT_MS', apps: L, default: '30s', meaning: 'origin headers/body timeout before 504' },
  { name: 'COILGUN_REDIS_URL', apps: L, default: '', meaning: 'redis:// or rediss:// URL of a Redis shared by all listeners' },
  { name: 'COILGUN_REDIS_CLUSTER', apps: L, default: '', meaning: 'host:port,... of a Redis Cluster (instead of the URL)' },
  { name: 'COILGUN_REDIS_PREFIX', apps: L, default: 'coilgun:', meaning: 'key prefix' },
  { name: 'COILGUN_REDIS_TTL_SECONDS', apps: L, default: '86400', meaning: 'lifetime of stored versions and pointers' },
  { name: 'COILGUN_REDIS_TIMEOUT_MS', apps: L, default: '50', meaning: 'longest a Redis command may take before the answer goes out full' },
  { name: 'COILGUN_REDIS_MAX_VERSION_BYTES', apps: L, default: '8MiB', meaning: 'larger versions are not stored in Redis' },
  { name: 'COILGUN_REDIS_LRU_MAX_BYTES', apps: L, default: '32MiB', meaning: 'in-process cache in front of Redis' }
] satisfies ConfigVariable[])

/** Edit distance (Levenshtein), for "did you mean". */
function distance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

/** The known variable nearest to `name` (by edit distance). */
export function closestVariable (name: string, known: readonly string[] = CONFIG_VARIABLES.map(v => v.name)): string {
  let best = known[0]!
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = distance(name, candidate)
    if (d < bestDistance) { best = candidate; bestDistance = d }
  }
  return best
}

/**
 * One warning per COILGUN_* variable in `env` that no app reads, naming the closest
 * known one. A warning, not an error: a variable of a newer version left in a shared
 * environment file must not stop an older process.
 */
export function unknownVariableWarnings (env: Env): string[] {
  const known = CONFIG_VARIABLES.map(v => v.name)
  const names = new Set(known)
  const warnings: string[] = []
  for (const name of Object.keys(env)) {
    if (!name.startsWith('COILGUN_') || names.has(name)) continue
    warnings.push(`${name} is not a Coilgun variable (ignored); did you mean ${closestVariable(name, known)}?`)
  }
  return warnings
}

/** The `--help` text of an app: usage and every variable it reads with its default. */
export function formatHelp (app: AppName, command: string, summary: string): string {
  const rows = CONFIG_VARIABLES.filter(v => v.apps.includes(app))
  const width = Math.max(...rows.map(v => v.name.length))
  const lines = [
    `Usage: ${command} [--help | --version | --check]`,
    '',
    summary,
    '',
    'Options:',
    '  -h, --help     print this help and exit',
    '  -v, --version  print the version and exit',
    '  --check        validate the configuration, print it resolved (secrets hidden), exit 0 or 1',
    '',
    'Configuration comes from environment variables (sizes accept KB/MB/GB/KiB/MiB/GiB,',
    'durations ms/s/m/h; a plain number is bytes or the unit in the name):',
    ''
  ]
  for (const v of rows) {
    lines.push(`  ${v.name.padEnd(width)}  ${v.meaning}`)
    lines.push(`  ${''.padEnd(width)}  default: ${v.default === '' ? '(unset)' : v.default}`)
  }
  lines.push('', 'Signals: SIGTERM/SIGINT finish in-flight requests and exit; SIGHUP reloads files (secret, TLS, host map).')
  return lines.join('\n') + '\n'
}
