import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The page the demo origin serves: consecutive versions of a corpus set when
 * ../shared/corpus is there, else a generated news page where a few teasers,
 * counters and a timestamp change between versions, as on a real front page.
 */
export interface ChangingPage {
  readonly source: string
  readonly contentType: string
  /** The current version. */
  current (): Buffer
  /** Moves to the next version. */
  advance (): void
}

export function corpusPage (corpusDir: string, set = 'fr-frontpage-html'): ChangingPage | undefined {
  const dir = join(corpusDir, set)
  if (!existsSync(dir)) return undefined
  const files = readdirSync(dir).filter(f => /^\d+\.(html|json)$/.test(f)).sort()
  if (files.length < 2) return undefined
  const versions = files.map(f => readFileSync(join(dir, f)))
  let index = 0
  return {
    source: `corpus set ${set} (${versions.length} versions)`,
    contentType: files[0]!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8',
    current: () => versions[index]!,
    advance: () => { index = (index + 1) % versions.length }
  }
}

const HEADLINES = ['Council approves new budget', 'Storm expected over the weekend', 'Local team wins the cup', 'Museum reopens after renovation', 'Rail strike called off', 'New bridge opens to traffic', 'Election results are in', 'Heatwave warning issued']

export function generatedPage (): ChangingPage {
  let version = 0
  const teasers = Array.from({ length: 400 }, (_, i) => ({ id: i, title: `${HEADLINES[i % HEADLINES.length]} (${i})`, views: (i * 7919) % 10_000 }))
  function render (): Buffer {
    const items = teasers.map(t => `<article data-id="${t.id}"><h2><a href="/story/${t.id}">${t.title}</a></h2><p>A short teaser for story ${t.id}, with enough words to look like a real front page paragraph.</p><span class="views">${t.views} views</span></article>`)
    return Buffer.from(`<!doctype html><html><head><title>Coilgun demo front page</title></head><body><header>Edition ${version}, updated ${new Date().toISOString()}</header><main>${items.join('\n')}</main></body></html>`)
  }
  let body = render()
  return {
    source: 'a generated front page (../shared/corpus not found)',
    contentType: 'text/html; charset=utf-8',
    current: () => body,
    advance: () => {
      version++
      for (let k = 0; k < 4; k++) {
        const t = teasers[(version * 31 + k * 97) % teasers.length]!
        t.title = `${HEADLINES[(version + k) % HEADLINES.length]} - update ${version}`
        t.views += 17 * (k + 1)
      }
      body = render()
    }
  }
}
