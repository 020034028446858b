// Why Redis cannot be used, in the words an operator acts on (issue 13): the
// connection "closed" says nothing; "authentication" (NOAUTH, WRONGPASS), "tls" or
// "refused" says what to fix.

export type RedisFailureReason = 'authentication' | 'permission' | 'tls' | 'refused' | 'dns' | 'timeout' | 'closed' | 'other'

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH)/

/** The kind of failure `err` reports, from its code or (for a Redis error reply) its first word. */
export function redisFailureReason (err: unknown): RedisFailureReason {
  const code = String((err as { code?: unknown }).code ?? '')
  const message = err instanceof Error ? err.message : String(err)
  const word = /^[A-Z]+/.exec(message)?.[0] ?? ''
  if (word === 'NOAUTH' || word === 'WRONGPASS' || /invalid password|AUTH.*without any password/i.test(message)) return 'authentication'
  if (word === 'NOPERM') return 'permission'
  if (TLS_CODES.test(code) || /\b(SSL|TLS)\b|certificate/i.test(message)) return 'tls'
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns'
  if (code === 'ETIMEDOUT') return 'timeout'
  if (code === 'COILGUN_ERR_STORE_UNAVAILABLE' && /closed/.test(message)) return 'closed'
  return 'other'
}
