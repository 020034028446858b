import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { buildListener, loadListenerConfig } from '@coilgun/listener'
import type { Listener, ListenerDeps } from '@coilgun/listener'
import { buildSender, loadSenderConfig } from '@coilgun/sender'
import type { Sender } from '@coilgun/sender'
import { SECRET } from '../../../test/support/originConformance.ts'

export { SECRET }

/** A listener on a free loopback port, configured through env as in production. */
export async function startListener (env: Record<string, string>, deps: ListenerDeps = {}): Promise<{ listener: Listener, url: string }> {
  const config = loadListenerConfig({ COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'silent', COILGUN_DIAGNOSTIC_HEADER: 'on', ...env })
  const listener = await buildListener(config, { logger: false, ...deps })
  const url = await listener.listen()
  return { listener, url }
}

export async function startSender (upstream: string, env: Record<string, string> = {}): Promise<{ sender: Sender, url: string }> {
  const config = loadSenderConfig({ COILGUN_UPSTREAM: upstream, COILGUN_SECRET: SECRET, COILGUN_LISTEN: '127.0.0.1:0', COILGUN_ADMIN_LISTEN: 'off', COILGUN_LOG_LEVEL: 'silent', COILGUN_DIAGNOSTIC_HEADER: 'on', ...env })
  const sender = await buildSender(config, { logger: false })
  return { sender, url: await sender.listen() }
}

/** Python's http.server serving `dir` on a free port: a non-Node origin. */
export async function startPythonOrigin (dir: string): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn('python3', ['-u', '-c', `
import http.server, socketserver, functools, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
with Server(('127.0.0.1', 0), handler) as httpd:
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()
`, dir], { stdio: ['ignore', 'pipe', 'ignore'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    child.once('exit', code => reject(new Error(`python exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

export function hasPython (): boolean {
  return spawnSync('python3', ['--version']).status === 0
}

export { makePki } from '@coilgun/fixtures/pki'
