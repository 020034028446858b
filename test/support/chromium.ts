import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, CDPSession, Page } from 'playwright-core'

// A real Chromium for tests of what a browser does (issue 18): Debian's `chromium`
// driven by playwright-core over the DevTools protocol. No browser is downloaded;
// CI installs the Debian package. Tests skip with a message naming it when absent.

export const CHROMIUM_PATH = process.env.COILGUN_CHROMIUM ?? '/usr/bin/chromium'

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissing (): string | undefined {
  if (!existsSync(CHROMIUM_PATH)) return `chromium not found at ${CHROMIUM_PATH}: install the Debian package chromium (CI does) or set COILGUN_CHROMIUM`
  return undefined
}

/** Why a test CA cannot be trusted here (certutil from libnss3-tools), or undefined. */
export function certutilMissing (): string | undefined {
  return spawnSync('certutil', ['-H'], { encoding: 'utf8' }).error === undefined ? undefined : 'certutil not found: install the Debian package libnss3-tools (CI does)'
}

// The flags this machine needs: its network is closed, so Chromium's background
// connections would fail noisily; the sandbox needs a user namespace root lacks.
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

export interface LaunchedChromium {
  readonly browser: Browser
  close (): Promise<void>
}

/**
 * Starts headless Chromium with an empty profile. With `trustCa` (a PEM file), a
 * temporary HOME holds an NSS database that trusts it, which is how Chromium on
 * Linux learns a CA (`--ignore-certificate-errors` would not make a secure context).
 */
export async function launchChromium (options: { trustCa?: string } = {}): Promise<LaunchedChromium> {
  const home = mkdtempSync(join(tmpdir(), 'coilgun-chromium-'))
  if (options.trustCa !== undefined) {
    const db = `sql:${join(home, '.pki', 'nssdb')}`
    spawnSync('mkdir', ['-p', join(home, '.pki', 'nssdb')])
    for (const args of [['-N', '-d', db, '--empty-password'], ['-A', '-d', db, '-t', 'C,,', '-n', 'coilgun-test-ca', '-i', options.trustCa]]) {
      const r = spawnSync('certutil', args, { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${r.stderr}`)
    }
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, env: { ...process.env, HOME: home } })
  return {
    browser,
    async close () {
      await browser.close()
      rmSync(home, { recursive: true, force: true })
    }
  }
}

export interface DocumentLoad {
  readonly status: number
  /** Response headers as the network saw them, lower-cased. */
  readonly headers: Record<string, string>
  /** Request headers Chromium sent, lower-cased. */
  readonly requestHeaders: Record<string, string>
  /** Bytes on the wire for the body and headers (CDP's encodedDataLength). */
  readonly encodedBytes: number
  /** SHA-256 (hex) of the document as Chromium decoded it. */
  readonly sha256: string
  readonly decodedBytes: number
  /** ALPN protocol of the connection (h2, http/1.1). */
  readonly protocol: string
}

/**
 * Navigates `page` to `url` and reports the main document as the network saw it:
 * the coding on the wire, the bytes it took, and the hash of what Chromium decoded.
 */
export async function loadDocument (page: Page, cdp: CDPSession, url: string): Promise<DocumentLoad> {
  let requestId: string | undefined
  let status = 0
  let headers: Record<string, string> = {}
  let encodedBytes = 0
  let protocol = ''
  // ExtraInfo events carry the headers really sent; they may arrive before or after
  // the request they belong to, so keep them all and pick ours at the end.
  const extra = new Map<string, Record<string, string>>()
  const lower = (h: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]))
  const onRequest = (e: { requestId: string, type?: string, request: { url: string } }): void => {
    if (e.type === 'Document' && e.request.url === url) requestId = e.requestId
  }
  const onExtra = (e: { requestId: string, headers: Record<string, unknown> }): void => { extra.set(e.requestId, lower(e.headers)) }
  const onResponse = (e: { requestId: string, response: { status: number, headers: Record<string, unknown>, protocol?: string } }): void => {
    if (e.requestId === requestId) { status = e.response.status; headers = lower(e.response.headers); protocol = e.response.protocol ?? '' }
  }
  const finished = new Promise<void>((resolve) => {
    const onFinished = (e: { requestId: string, encodedDataLength: number }): void => {
      if (e.requestId !== requestId) return
      encodedBytes = e.encodedDataLength
      cdp.off('Network.loadingFinished', onFinished)
      resolve()
    }
    cdp.on('Network.loadingFinished', onFinished)
  })
  cdp.on('Network.requestWillBeSent', onRequest)
  cdp.on('Network.requestWillBeSentExtraInfo', onExtra)
  cdp.on('Network.responseReceived', onResponse)
  try {
    await page.goto(url, { waitUntil: 'load' })
    await finished
    const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId: requestId! }) as { body: string, base64Encoded: boolean }
    const decoded = Buffer.from(body, base64Encoded ? 'base64' : 'utf8')
    return { status, headers, requestHeaders: extra.get(requestId!) ?? {}, encodedBytes, sha256: createHash('sha256').update(decoded).digest('hex'), decodedBytes: decoded.length, protocol }
  } finally {
    cdp.off('Network.requestWillBeSent', onRequest)
    cdp.off('Network.requestWillBeSentExtraInfo', onExtra)
    cdp.off('Network.responseReceived', onResponse)
  }
}
