import { createError } from '@fastify/error'

// coilgun-estimate's coded errors (STYLE rule 4): the command prints the code with
// the message and exits with status 1; callers and tests match `err.code`. Every code
// is documented in docs/ERRORS.md (test/errors-are-documented.test.ts checks it).

/** A command-line argument is missing, unknown or malformed; the message names it and the expected form. */
export const ERR_ESTIMATE_ARGUMENT = createError('COILGUN_ERR_ESTIMATE_ARGUMENT', 'Invalid argument %s: %s', 500, TypeError)
/** The `--dir` folder is missing, unreadable or holds no versions. */
export const ERR_ESTIMATE_INPUT = createError('COILGUN_ERR_ESTIMATE_INPUT', 'Cannot read versions from %s: %s', 500)
/** An output file (`--json`, `--report`) could not be written, or the `--save` folder is not empty. */
export const ERR_ESTIMATE_OUTPUT = createError('COILGUN_ERR_ESTIMATE_OUTPUT', 'Cannot write %s: %s', 500)

/** All codes defined by @coilgun/estimate, for documentation checks. */
export const ESTIMATE_ERROR_CODES: readonly string[] = Object.freeze([
  'COILGUN_ERR_ESTIMATE_ARGUMENT',
  'COILGUN_ERR_ESTIMATE_INPUT',
  'COILGUN_ERR_ESTIMATE_OUTPUT'
])
