/** Every series name a registry exports (histograms as _bucket, _sum and _count), with its type. */
export async function exportedMetrics (registry: { getMetricsAsJSON (): Promise<Array<{ name: string, type: unknown }>> }): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for (const m of await registry.getMetricsAsJSON()) {
    names.set(m.name, String(m.type))
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.set(m.name + suffix, 'histogram')
  }
  return names
}
