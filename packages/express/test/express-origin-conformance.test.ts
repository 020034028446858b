import { runOriginConformance } from '../../../test/support/originConformance.ts'
import { startExpressOrigin } from './app.ts'

// Issue 3: the shared origin behaviour over real sockets (see originConformance.ts).
runOriginConformance('express', startExpressOrigin)
