import { createRequire } from 'node:module'
import { Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

/** This package's version (package.json sits one folder above both src/ and dist/). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** `coilgun_build_info{version,node,codecs} 1`: which build runs where, with which codecs. */
export function registerBuildInfo (registry: Registry, codecs: readonly string[]): void {
  const info = new Gauge({ name: 'coilgun_build_info', help: 'Always 1; the labels say which version runs on which Node with which codecs', labelNames: ['version', 'node', 'codecs'], registers: [registry] })
  info.set({ version: VERSION, node: process.version, codecs: codecs.join(',') }, 1)
}
