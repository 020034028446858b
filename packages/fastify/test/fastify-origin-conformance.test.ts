import { runOriginConformance } from '../../../test/support/originConformance.ts'
import { startFastifyOrigin } from './app.ts'

// Issue 3: the shared origin behaviour over real sockets (see originConformance.ts).
runOriginConformance('fastify', startFastifyOrigin)
