import { parseArgs } from 'node:util'
import { buildApp } from '../../packages/fastify/test/app.ts'
import type { AppState } from '../support/originConformance.ts'
import { versionedPages } from '@coilgun/fixtures/pageVersions'

// The origin of the soak (soak.ts): the test app of packages/fastify/test/app.ts
// (with @coilgun/fastify, or plain behind a listener) whose pages move to their next
// version every --change-ms, so the sender keeps getting deltas, fulls and 304s. It
// tells its parent its port over IPC and exits when the parent goes away. The parent
// builds the same versionedPages(--versions) and checks every body against them.

const { values } = parseArgs({ options: { plugin: { type: 'boolean', default: false }, versions: { type: 'string', default: '12' }, 'change-ms': { type: 'string', default: '500' } } })
const pages = versionedPages(Number(values.versions))
const state: AppState = { current: new Map() }
const app = await buildApp(pages, state, { plugin: values.plugin, compress: false })

let step = 0
setInterval(function nextVersions () {
  step++
  // Pages move at different paces: one changes every tick, another every other tick...
  pages.forEach((p, i) => { if (step % (i + 1) === 0) state.current.set(p.name, ((state.current.get(p.name) ?? 0) + 1) % p.versions.length) })
}, Number(values['change-ms']))

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 })
process.once('disconnect', function parentGone () { process.exit(0) })
