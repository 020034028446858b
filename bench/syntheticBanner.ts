/**
 * The warning every benchmark prints when the corpus is missing and it measures
 * generated versions: loud enough that nobody quotes such figures.
 */
export function syntheticBanner (source: string): string {
  const bar = '!'.repeat(78)
  return [bar, `!! ${source}`, '!! Measuring SYNTHETIC versions instead: the figures say nothing about real pages.', bar].join('\n')
}
