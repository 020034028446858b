import { request } from 'node:http'

/** One response exactly as it came off the socket: no decompression, no redirects. */
export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

/**
 * GET with node:http, which (unlike fetch) hands over a br/gzip/dcz body as sent:
 * the bench checks each contender's answer with @coilgun/core before loading it.
 */
export function rawGet (url: string, headers: Readonly<Record<string, string>>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent: false }, function onResponse (res) {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('error', reject)
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.once('error', reject)
    req.end()
  })
}
