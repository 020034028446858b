import autocannon from 'autocannon'

// The load generator: autocannon in the bench process, over real loopback sockets
// to a server in another process. One call is one timed run of one contender.

export interface LoadSpec {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly durationS: number
}

/** What the client saw during one run. */
export interface LoadResult {
  /** Completed responses per second of wall time. */
  readonly rps: number
  readonly requests: number
  readonly latencyP50Ms: number
  readonly latencyP99Ms: number
  /** Responses outside 2xx (226 IM Used is 2xx), and connection errors and timeouts. */
  readonly non2xx: number
  readonly errors: number
  /** Response bytes received by the client, headers included. */
  readonly bytesReceived: number
  /** CPU time of the bench process (the load generator) per response, ms. */
  readonly clientCpuMsPerRequest: number
}

function cpuMs (usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000
}

export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage()
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationS,
    headers: { ...spec.headers }
  })
  return {
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    requests: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    bytesReceived: result.throughput.total,
    clientCpuMsPerRequest: result.requests.total > 0 ? cpuMs(process.cpuUsage(cpuBefore)) / result.requests.total : Number.NaN
  }
}
