import { writeFileSync } from 'node:fs'
import { ERR_ESTIMATE_OUTPUT } from './errors.ts'
import { resolveEstimateOptions, USAGE } from './estimateOptions.ts'
import type { EstimateResult } from './estimateResult.ts'
import { runEstimate, VERSION } from './estimateRun.ts'
import { renderTable } from './report/tableReport.ts'

// The `coilgun-estimate` command. Exit status: 0 when the run ended by itself,
// 1 for a bad argument or an unreadable --dir (one line with the COILGUN_ERR_* code),
// 130 after Ctrl-C (128 + SIGINT, as shells report it) once the report of what was
// measured so far is printed and written. A second Ctrl-C exits at once.

/** Exit status after Ctrl-C: 128 + SIGINT (2). */
export const EXIT_INTERRUPTED = 130

async function writeOutputs (result: EstimateResult, jsonFile: string | undefined, reportFile: string | undefined): Promise<void> {
  if (jsonFile !== undefined) {
    try {
      writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`)
    } catch (err) {
      throw new ERR_ESTIMATE_OUTPUT(jsonFile, (err as Error).message)
    }
  }
  if (reportFile !== undefined) {
    // Loaded only when asked for: Vega is the slowest part of starting up.
    const { renderHtmlReport } = await import('./report/htmlReport.ts')
    const html = await renderHtmlReport(result)
    try {
      writeFileSync(reportFile, html)
    } catch (err) {
      throw new ERR_ESTIMATE_OUTPUT(reportFile, (err as Error).message)
    }
  }
}

async function main (argv: readonly string[]): Promise<number> {
  const options = resolveEstimateOptions(argv)
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (options.version) {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  const stop = new AbortController()
  process.on('SIGINT', function onInterrupt () {
    if (stop.signal.aborted) process.exit(EXIT_INTERRUPTED)
    stop.abort()
  })
  const result = await runEstimate(options, { signal: stop.signal, progress: process.stdout })
  process.stdout.write(renderTable(result))
  await writeOutputs(result, options.jsonFile, options.reportFile)
  return result.interrupted ? EXIT_INTERRUPTED : 0
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code
}, (err: Error & { code?: string }) => {
  process.stderr.write(`coilgun-estimate: ${err.code ?? 'error'}: ${err.message}\n`)
  process.exitCode = 1
})
