import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { exchangeWithContinue, parseFirstResponse, startTopologies } from './support/proxyTopology.ts'

// Issue 13: `Expect: 100-continue` through the sender, and the sender + listener.
// RFC 9110 section 10.1.1: the proxy either answers the expectation or forwards it;
// Coilgun answers it (Node sends `100 Continue` when the body is wanted) and streams
// the body on without `Expect`, which undici refuses to send. Before the fix every
// such request, and a GET with `Expect`, was a 502 for a healthy origin.

test('a POST with Expect: 100-continue gets 100, then the origin\'s answer; the origin gets the whole body', async (t) => {
  for (const topo of await startTopologies(t)) {
    const body = Buffer.from('hello, expecting origin')
    const head = `POST /upload HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`
    const { text, sawContinue } = await exchangeWithContinue(topo.url, head, body, true)
    assert.ok(sawContinue, `${topo.name}: 100 Continue before the body`)
    const answer = parseFirstResponse(text)
    assert.equal(answer.status, 200, `${topo.name}: ${text}`)
    assert.equal(answer.body, 'origin a POST /upload')
    const saw = topo.a.seen.filter(r => r.url === '/upload')
    assert.equal(saw.length, 1, `${topo.name}: the origin got the upload once`)
    assert.equal(saw[0]!.body.toString(), body.toString())
    assert.equal(saw[0]!.headers.expect, undefined, `${topo.name}: the expectation was met at the first hop`)
    assert.equal(saw[0]!.headers.host, 'a.example')
    assert.deepEqual(topo.d.seen, [])
  }
})

test('a GET with Expect: 100-continue is served, not a 502', async (t) => {
  for (const topo of await startTopologies(t)) {
    const { text } = await exchangeWithContinue(topo.url, 'GET /page HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n', Buffer.alloc(0), false)
    const answer = parseFirstResponse(text)
    assert.equal(answer.status, 200, `${topo.name}: ${text}`)
    assert.equal(answer.body, 'origin a GET /page')
    const saw = topo.a.seen.filter(r => r.url === '/page')
    assert.ok(saw.length >= 1, topo.name)
    for (const r of saw) assert.equal(r.headers.expect, undefined)
  }
})

test('a visitor that sends the body without waiting for 100 is served too', async (t) => {
  for (const topo of await startTopologies(t)) {
    const body = randomBytes(64 * 1024)
    const { text } = await exchangeWithContinue(topo.url, `PUT /eager HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body, false)
    assert.equal(parseFirstResponse(text).status, 200, topo.name)
    assert.ok(topo.a.seen.find(r => r.url === '/eager')!.body.equals(body), topo.name)
  }
})

const CURL = spawnSync('curl', ['--version']).status === 0
test('curl --data-binary @2mb.bin with curl\'s defaults (it sends Expect: 100-continue) uploads through both', { skip: CURL ? false : 'curl is not installed: install the curl package (CI does) to run the real-client upload test' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-upload-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, '2mb.bin')
  const data = randomBytes(2 * 1024 * 1024)
  writeFileSync(file, data)
  for (const topo of await startTopologies(t)) {
    // Asynchronous: the origins run in this process, so spawnSync would block them.
    const { status, stdout, stderr } = await curl(['-sS', '-v', '-X', 'POST', '--data-binary', `@${file}`, '-H', 'Host: a.example', '-o', '/dev/null', '-w', '%{http_code}', `${topo.url}/upload`])
    assert.equal(status, 0, `${topo.name}: curl failed: ${stderr}`)
    assert.match(stderr, /> Expect: 100-continue/i, 'curl sent the expectation (its default for this size)')
    assert.equal(stdout, '200', `${topo.name}: ${stderr}`)
    const saw = topo.a.seen.filter(r => r.url === '/upload')
    assert.equal(saw.length, 1, topo.name)
    assert.equal(createHash('sha256').update(saw[0]!.body).digest('hex'), createHash('sha256').update(data).digest('hex'), `${topo.name}: the origin got the 2 MiB exactly`)
  }
})

async function curl (args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> {
  const { spawn } = await import('node:child_process')
  return new Promise(resolve => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('close', status => resolve({ status, stdout, stderr }))
  })
}

test('an expectation other than 100-continue is a short no-store 417 and reaches no origin', async (t) => {
  for (const topo of await startTopologies(t)) {
    const { text } = await exchangeWithContinue(topo.url, 'POST /x HTTP/1.1\r\nHost: a.example\r\nExpect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n', Buffer.from('hi'), false)
    const answer = parseFirstResponse(text)
    assert.equal(answer.status, 417, `${topo.name}: ${text}`)
    assert.equal(answer.headers['cache-control'], 'no-store')
    assert.deepEqual([...topo.a.seen, ...topo.d.seen], [])
  }
})
