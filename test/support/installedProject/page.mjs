// The page every origin in the installed project serves: version `n` of a front page
// where a few lines change between versions, so the second answer is a delta.
export function page (n) {
  const items = []
  for (let i = 0; i < 300; i++) {
    const title = i % 50 === n % 50 ? `Breaking: update ${n}` : `Story ${i}: the council met again`
    items.push(`<article id="s${i}"><h2>${title}</h2><p>A teaser for story ${i}, long enough to look like a real paragraph.</p></article>`)
  }
  return `<!doctype html><html><body><header>Edition ${n}</header>${items.join('\n')}</body></html>`
}

/** Prints the listening URL as one JSON line, as coilgun-sender and coilgun-listener log it. */
export function announce (url) {
  console.log(JSON.stringify({ url }))
}
