import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { versionedPages } from '@coilgun/fixtures/pageVersions'
import { rawGet } from '@coilgun/fixtures/senderClient'
import { hasPython, startListener, startPythonOrigin, startSender } from './harness.ts'

// Issue 5: a non-Node origin (Python's http.server) serving a file that the test
// rewrites with successive corpus versions, behind the listener, behind the sender:
// byte-identical pages, deltas after the first request.

test('python http.server behind listener behind sender: deltas, byte-identical pages', { skip: hasPython() ? false : 'python3 not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coilgun-python-'))
  const python = await startPythonOrigin(dir)
  const { listener, url: listenerUrl } = await startListener({ COILGUN_ORIGIN: python.url })
  const { sender, url } = await startSender(listenerUrl)
  t.after(async () => { await sender.close(); await listener.close(); python.child.kill(); rmSync(dir, { recursive: true, force: true }) })
  for (const page of versionedPages(8)) {
    const file = page.contentType.startsWith('application/json') ? `${page.name}.json` : `${page.name}.html`
    let deltas = 0
    for (let i = 0; i < page.versions.length; i++) {
      writeFileSync(join(dir, file), page.versions[i]!)
      const res = await rawGet(`${url}/${file}`)
      assert.equal(res.status, 200)
      assert.ok(res.body.equals(page.versions[i]!), `${page.name} v${i + 1} differs`)
      const diag = String(res.headers.coilgun)
      if (i === 0) assert.match(diag, /^full/)
      else if (diag.startsWith('delta')) {
        deltas++
        const up = Number(/up=(\d+)/.exec(diag)?.[1])
        assert.ok(up < page.versions[i]!.length / 10, `delta of ${up} bytes`)
      }
      assert.ok(res.headers['last-modified'], 'the origin\'s headers pass through')
      assert.equal(res.headers['coilgun-listener'], undefined, 'the listener\'s diagnostic header stops at the sender')
    }
    assert.ok(deltas >= page.versions.length - 2, `${page.name}: ${deltas} deltas`)
  }
})
