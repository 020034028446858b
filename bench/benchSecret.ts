/**
 * The secret shared by the bench's origins, senders and load requests: a fixed
 * value, as these servers listen on loopback only and live for one run.
 */
export const BENCH_SECRET = 'coilgun-bench-secret-not-for-production'
