export { loadListenerConfig } from './config.ts'
export type { ListenerConfig } from './config.ts'
export { buildListener } from './server.ts'
export type { Listener, ListenerDeps } from './server.ts'
