// Reading Prometheus text exposition in tests and benchmarks.

/** The value of one sample, e.g. sample(text, 'x_total{a="b"}'); undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
