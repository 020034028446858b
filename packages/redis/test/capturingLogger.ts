import type { RedisStoreLogger } from '@coilgun/redis'

export interface LogLine {
  level: 'warn' | 'info'
  msg: string
  obj: object
}

/** A logger that keeps its lines, to count "Redis unavailable" / "Redis back" per episode. */
export function capturingLogger (): RedisStoreLogger & { lines: LogLine[], count: (pattern: RegExp) => number } {
  const lines: LogLine[] = []
  return {
    lines,
    warn: function warn (obj: object, msg: string) { lines.push({ level: 'warn', msg, obj }) },
    info: function info (obj: object, msg: string) { lines.push({ level: 'info', msg, obj }) },
    count: function count (pattern: RegExp) { return lines.filter(l => pattern.test(l.msg)).length }
  }
}

export const UNAVAILABLE = /Redis unavailable/
export const BACK = /Redis back/
